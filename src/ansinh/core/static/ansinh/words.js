/* An amount of đồng in words: the exact port of ansinh/core/words.py (read its docstring for
   the rules). Plain script, no build: window.AnsinhWords.amountInWords(n, lang).
   core/tests/words_cases.json holds both to the same answers. These are the number's own
   words, as the Python module writes them, not interface text. */
(function (global) {
  "use strict";
  var LIMIT = 1e15;
  var VI_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];
  var VI_UNITS = ["", "nghìn", "triệu"];
  var EN_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen"];
  var EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety"];
  var EN_SCALES = ["", "thousand", "million", "billion", "trillion"];

  function viGroup(number, leading) {
    var hundreds = Math.floor(number / 100), tens = Math.floor(number / 10) % 10,
      units = number % 10, words = [];
    if (hundreds || !leading) words.push(VI_DIGITS[hundreds], "trăm");
    if (tens === 0) {
      if (units && words.length) words.push("linh");
    } else if (tens === 1) {
      words.push("mười");
    } else {
      words.push(VI_DIGITS[tens], "mươi");
    }
    if (units === 1 && tens >= 2) words.push("mốt");
    else if (units === 4 && tens >= 2) words.push("tư");
    else if (units === 5 && tens >= 1) words.push("lăm");
    else if (units) words.push(VI_DIGITS[units]);
    return words;
  }

  function viBelowBillion(number, leading) {
    var groups = [Math.floor(number / 1e6), Math.floor(number / 1000) % 1000, number % 1000];
    var words = [];
    for (var index = 0; index < 3; index++) {
      if (groups[index] === 0) continue;
      words = words.concat(viGroup(groups[index], leading && !words.length));
      if (VI_UNITS[2 - index]) words.push(VI_UNITS[2 - index]);
    }
    return words;
  }

  function viWords(number, leading) {
    var billions = Math.floor(number / 1e9), rest = number % 1e9, words = [];
    if (billions) words = viWords(billions, leading).concat(["tỷ"]);
    if (rest) words = words.concat(viBelowBillion(rest, leading && !words.length));
    return words;
  }

  function vietnamese(number) {
    return number === 0 ? "không" : viWords(number, true).join(" ");
  }

  function enGroup(number) {
    var hundreds = Math.floor(number / 100), rest = number % 100, words = [];
    if (hundreds) words.push(EN_ONES[hundreds], "hundred");
    if (rest >= 20) {
      var units = rest % 10;
      words.push(EN_TENS[Math.floor(rest / 10)] + (units ? "-" + EN_ONES[units] : ""));
    } else if (rest) {
      words.push(EN_ONES[rest]);
    }
    return words;
  }

  function english(number) {
    if (number === 0) return "zero";
    var words = [];
    for (var scale = EN_SCALES.length - 1; scale >= 0; scale--) {
      var group = Math.floor(number / Math.pow(1000, scale)) % 1000;
      if (group) {
        words = words.concat(enGroup(group));
        if (EN_SCALES[scale]) words.push(EN_SCALES[scale]);
      }
    }
    return words.join(" ");
  }

  function amountInWords(amount, lang) {
    if (typeof amount !== "number" || !Number.isInteger(amount)) {
      throw new TypeError("an amount of đồng is an integer, not " + amount);
    }
    if (Math.abs(amount) >= LIMIT) throw new RangeError(amount + " is beyond " + (LIMIT - 1));
    var isEnglish = String(lang || "vi").toLowerCase().indexOf("en") === 0;
    var number = Math.abs(amount);
    var words = isEnglish ? english(number) : vietnamese(number);
    if (amount < 0) words = (isEnglish ? "minus " : "âm ") + words;
    words += isEnglish ? " dong" : " đồng";
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  global.AnsinhWords = { amountInWords: amountInWords, LIMIT: LIMIT };
})(window);
