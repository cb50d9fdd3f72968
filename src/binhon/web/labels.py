"""Vietnamese labels of the codes the web app shows (kinds, severities, statuses, types, roles)."""

from __future__ import annotations

from binhon.accounts.service import ROLE_LABELS
from binhon.tet import PHASE_LABELS

KIND_LABELS = {
    "spike": "Tăng giá đột biến",
    "drop": "Giảm giá đột biến",
    "outlet_outlier": "Điểm bán lệch giá",
    "ceiling_breach": "Vượt giá trần",
    "commitment_breach": "Vượt giá cam kết bình ổn",
    "stale": "Ngừng báo giá",
    "scraper_broken": "Lỗi thu thập tự động",
}
SEVERITY_LABELS = {"stress": "Cần theo dõi", "alert": "Cảnh báo", "crisis": "Nghiêm trọng"}
SEVERITY_RANK = {"stress": 1, "alert": 2, "crisis": 3}
STATUS_LABELS = {
    "new": "Mới",
    "acknowledged": "Đã tiếp nhận",
    "escalated": "Đã chuyển xử lý",
    "resolved": "Đã xử lý xong",
    "dismissed": "Bác bỏ (báo nhầm)",
}
ACTION_LABELS = {
    "acknowledge": "Tiếp nhận",
    "escalate": "Chuyển xử lý",
    "resolve": "Đã xử lý xong",
    "dismiss": "Bác bỏ (báo nhầm)",
}
PRICE_TYPE_LABELS = {
    "retail": "Giá bán lẻ",
    "wholesale": "Giá bán buôn",
    "ceiling": "Giá trần",
    "committed": "Giá cam kết bình ổn",
}
OUTLET_TYPE_LABELS = {
    "market": "Chợ",
    "supermarket": "Siêu thị",
    "convenience": "Cửa hàng tiện lợi",
    "petrol": "Cửa hàng xăng dầu",
    "enterprise": "Doanh nghiệp",
    "official": "Nguồn chính thức",
}
AUDIT_ACTION_LABELS = {
    "alert_acknowledge": "tiếp nhận cảnh báo",
    "alert_escalate": "chuyển xử lý cảnh báo",
    "alert_resolve": "xử lý xong cảnh báo",
    "alert_dismiss": "bác bỏ cảnh báo",
    "correct": "sửa giá",
    "declare": "khai giá",
    "survey": "nhập khảo sát chợ",
    "ingest": "nhập dữ liệu",
    "create": "tạo mới",
    "update": "cập nhật",
    "register": "đăng ký",
    "set_password": "đặt lại mật khẩu",
    "set_outlets": "gán điểm bán",
    "activate": "mở khóa",
    "deactivate": "khóa",
    "revoke": "thu hồi",
    "delete": "xóa",
    "import": "nhập tệp",
}
# Keys of audit entry details, as shown in the audit log.
DETAIL_LABELS = {
    "from": "từ",
    "to": "sang",
    "kind": "loại",
    "escalated_to": "chuyển tới",
    "label": "nhãn",
    "stored": "lưu mới",
    "revised": "thay giá",
    "unchanged": "không đổi",
    "duplicates": "trùng",
    "rejected": "từ chối",
    "outlets": "điểm bán",
    "role": "vai trò",
    "username": "tài khoản",
    "enterprise": "doanh nghiệp",
    "prefix": "mã",
    "name": "ghi chú",
    "code": "mã",
    "outlet_type": "loại điểm bán",
    "area": "địa bàn",
    "old_id": "số cũ",
    "old_price_vnd": "giá cũ",
    "new_price_vnd": "giá mới",
    "year": "năm",
    "decision_no": "số quyết định",
    "decision_date": "ngày quyết định",
    "participant_id": "doanh nghiệp tham gia số",
    "commodity": "mặt hàng",
    "outlet": "điểm bán",
    "period_start": "từ ngày",
    "period_end": "đến ngày",
    "quantity": "số lượng",
    "value_vnd": "giá trị",
    "committed_price_vnd": "giá cam kết",
    "margin_below_market_pct": "thấp hơn giá thị trường (%)",
    "loan_proposed_vnd": "vốn đề xuất",
    "loan_approved_vnd": "vốn được duyệt",
    "loan_disbursed_vnd": "vốn đã giải ngân",
    "report_date": "ngày báo cáo",
    "visit_date": "ngày kiểm tra",
    "officer": "người kiểm tra",
    "findings": "kết quả",
    "compliant": "đạt",
}
ENTITY_LABELS = {
    "alert": "cảnh báo",
    "observation": "giá",
    "ingest_batch": "lô dữ liệu",
    "user": "tài khoản",
    "api_token": "mã truy cập API",
    "outlet": "điểm bán",
    "commodity": "mặt hàng",
    "programme_year": "năm chương trình bình ổn",
    "enterprise": "doanh nghiệp",
    "participant": "doanh nghiệp tham gia bình ổn",
    "participant_outlet": "điểm bán bình ổn",
    "commitment": "cam kết bình ổn",
    "reserve_report": "báo cáo dự trữ",
    "field_visit": "kiểm tra thực tế",
    "programme_import": "nhập sổ bình ổn từ tệp mẫu",
}

__all__ = [
    "sentence",
    "ACTION_LABELS",
    "AUDIT_ACTION_LABELS",
    "DETAIL_LABELS",
    "ENTITY_LABELS",
    "KIND_LABELS",
    "OUTLET_TYPE_LABELS",
    "PHASE_LABELS",
    "PRICE_TYPE_LABELS",
    "ROLE_LABELS",
    "SEVERITY_LABELS",
    "SEVERITY_RANK",
    "STATUS_LABELS",
]


def sentence(text: str) -> str:
    """text with its first letter in upper case (unlike str.capitalize, the rest is kept)."""
    return text[:1].upper() + text[1:] if text else text
