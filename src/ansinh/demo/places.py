"""The A Lưới office's territory after the 2025 commune merger (Resolution 1675/NQ-UBTVQH15).

Commune codes are stable synthetic codes (the new communes' official codes are not in our
sources); village names are realistic but synthetic.
"""

from __future__ import annotations

COMMUNES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("AL1", "A Lưới 1", ("Hồng Thủy", "Hồng Vân", "Trung Sơn", "Hồng Kim")),
    ("AL2", "A Lưới 2", ("Thị trấn A Lưới", "Hồng Bắc", "Quảng Nhâm", "A Ngo")),
    ("AL3", "A Lưới 3", ("Sơn Thủy", "Hồng Thượng", "Phú Vinh", "Hồng Thái")),
    ("AL4", "A Lưới 4", ("Hương Phong", "A Roàng", "Đông Sơn", "Lâm Đớt")),
    ("AL5", "A Lưới 5", ("Hương Nguyên", "Hồng Hạ")),
)

VILLAGE_NAMES: tuple[str, ...] = (
    "A Ka", "Pa Ring", "A Tin", "Ka Rôn", "Tru Chaih", "Ta Vai", "A Niêng", "Pi Ây", "Cân Sâm",
    "Ta Lo", "Pa Hy", "Kê", "Lê Triêng", "Hợp Thượng", "A Đớt", "Ka Lô", "Tà Rè", "Pa Ngăn",
    "Chi Lanh", "Ta Ay", "A Co", "Hương Sơn", "Quảng Mai", "Pa Nghi", "Ka Nôn", "A Roh",
    "Pa Lang", "A Hươr", "Pa E", "Ka Rôi", "Tà Lồng", "A Sáp", "Ba Lạch", "Pa Ay", "Ka Vàng",
    "Pa Rông", "Âr Bả", "Kăn Sâm", "Cu Tai", "Ta Rị", "Hương Thịnh", "Pa Lo", "Lê Lộc",
    "A Đeeng", "Tân Hối", "Ra Ho", "Ka Đi", "Pa Chi", "Mu Nú", "Pâr Lieng",
)
VILLAGES_PER_FORMER_COMMUNE = 5

ORGANISATIONS: tuple[tuple[str, str, str, str | None], ...] = (
    ("BD-AL", "Bưu điện A Lưới", "post_office", None),
    ("HPN-AL", "Hội Liên hiệp Phụ nữ A Lưới", "womens_union", None),
    ("HND-AL", "Hội Nông dân A Lưới", "farmers_union", None),
    ("UB-AL1", "UBND xã A Lưới 1", "commune_committee", "AL1"),
    ("UB-AL2", "UBND xã A Lưới 2", "commune_committee", "AL2"),
    ("UB-AL3", "UBND xã A Lưới 3", "commune_committee", "AL3"),
    ("UB-AL4", "UBND xã A Lưới 4", "commune_committee", "AL4"),
    ("UB-AL5", "UBND xã A Lưới 5", "commune_committee", "AL5"),
)
