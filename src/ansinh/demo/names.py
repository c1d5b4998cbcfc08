"""Name pools by ethnic group for the synthetic register (Kinh, Tà Ôi / Pa Kô, Cơ Tu, Pa Hy)."""

from __future__ import annotations

KINH = {
    "surnames": ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi",
                 "Đỗ", "Hồ", "Ngô", "Dương"),
    "middle_M": ("Văn", "Đức", "Hữu", "Công", "Minh", "Quang"),
    "middle_F": ("Thị", "Thị", "Ngọc", "Thu"),
    "given_M": ("Hùng", "Dũng", "Nam", "Sơn", "Tuấn", "Bình", "Hải", "Long", "Phúc", "Thắng",
                "Quốc", "Lộc"),
    "given_F": ("Hoa", "Lan", "Hương", "Mai", "Hạnh", "Thảo", "Nga", "Liên", "Trang", "Hà",
                "Loan", "Yến"),
}
TA_OI = {
    "surnames": ("Hồ", "Hồ", "Kăn", "Căn", "A Viết", "Ra Pát", "Kray", "Nhâm", "Quỳnh", "Lê",
                 "Hồ Xuân", "Pi Lao"),
    "middle_M": ("Văn", "A", "Văn"),
    "middle_F": ("Thị",),
    "given_M": ("Rin", "Bốc", "Plôm", "Cưa", "Ngân", "Khiết", "Hiên", "Tâm", "Lợi", "Thuận",
                "Ky", "Pả", "Blúp", "Ăm", "Cơm", "Tư"),
    "given_F": ("Hoa", "Xuân", "Mai", "Lịch", "Nhương", "Hiền", "Liên", "Thơ", "Rưl", "Liêm",
                "Hương", "Ngọc"),
}
CO_TU = {
    "surnames": ("Bling", "Alăng", "Coor", "Zơ Râm", "Hôih", "Ploong", "Bhling", "Arất"),
    "middle_M": ("Văn", ""),
    "middle_F": ("Thị", ""),
    "given_M": ("Pố", "Ria", "Tiêng", "Tư", "Đợi", "Bươn", "Hên", "Nay", "Bríu"),
    "given_F": ("Thị", "Nhiên", "Dung", "Lợi", "Hươi", "Tôm", "Bhriu"),
}
PA_HY = {
    "surnames": ("Hồ", "Lê", "Trần", "Kê"),
    "middle_M": ("Văn",),
    "middle_F": ("Thị",),
    "given_M": ("Cu", "Lai", "Ta", "Mai", "Pơ"),
    "given_F": ("Ni", "Pay", "Ca", "Lụa", "Nguyệt"),
}
