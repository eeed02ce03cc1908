"""Everything the citizen reads on Zalo that does not come from Rasa, in polite Vietnamese.

Kept in one place so the department can review the wording without reading code. The
official channel named in the apology is the catalog's own `kenh_chinh_thuc`, so staff
change it in one place (catalog/chung.yml) for every channel."""

from __future__ import annotations

from pathlib import Path

import yaml

CATALOG_COMMON = Path(__file__).resolve().parents[2] / "catalog" / "chung.yml"
# Used only when the catalog cannot be read; same wording as the catalog's first line.
FALLBACK_OFFICIAL_CHANNEL = (
    "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn) hoặc ứng dụng VNeID")

APOLOGY_UNAVAILABLE = (
    "Xin lỗi anh/chị, hệ thống trả lời tự động đang tạm thời gián đoạn. "
    "Anh/chị vui lòng gửi lại câu hỏi sau ít phút, hoặc tra cứu và nộp hồ sơ qua kênh chính thức:\n"
    "{official}"
)
NO_ANSWER = (
    "Xin lỗi, trợ lý chưa có câu trả lời cho nội dung này. "
    "Anh/chị có thể hỏi lại bằng cách khác hoặc gõ \"menu\" để xem các chủ đề ạ."
)
CHOOSE_OPTION = "Mời anh/chị chọn một mục bên dưới:"
MORE_OPTIONS = "Các mục khác:"
RATE_PROMPT = "Câu trả lời trên có hữu ích không ạ?"
TEXT_ONLY = (
    "Xin lỗi, trợ lý hiện chỉ đọc được tin nhắn văn bản nên chưa xử lý được {kind}. "
    "Anh/chị vui lòng gõ câu hỏi bằng chữ, hoặc gõ \"menu\" để xem các chủ đề ạ."
)
TOO_LONG = (
    "Tin nhắn của anh/chị hơi dài ({length} ký tự) nên trợ lý chưa xử lý được. "
    "Anh/chị vui lòng tóm tắt câu hỏi trong khoảng {limit} ký tự ạ."
)
SLOW_DOWN = (
    "Anh/chị đang gửi tin nhắn hơi nhanh. "
    "Xin vui lòng chờ khoảng {seconds} giây rồi gửi tiếp, trợ lý sẽ trả lời ngay ạ."
)
BUTTON_EXPIRED = "Nút này đã hết hạn. Anh/chị vui lòng gõ \"menu\" để xem lại các chủ đề ạ."

# What a non-text message is called in the TEXT_ONLY notice, by Zalo event name.
MEDIA_KINDS = {
    "user_send_image": "hình ảnh",
    "user_send_gif": "ảnh động",
    "user_send_sticker": "nhãn dán (sticker)",
    "user_send_file": "tệp đính kèm",
    "user_send_location": "vị trí",
    "user_send_audio": "tin nhắn thoại",
    "user_send_video": "video",
    "user_send_link": "đường liên kết",
    "user_send_business_card": "danh thiếp",
}


def official_channel(path: Path = CATALOG_COMMON) -> str:
    """The catalog's `kenh_chinh_thuc`, or a fixed text if the catalog cannot be read."""
    try:
        value = yaml.safe_load(path.read_text(encoding="utf-8")).get("kenh_chinh_thuc")
    except (OSError, AttributeError, yaml.YAMLError):
        value = None
    return str(value).strip() if value else FALLBACK_OFFICIAL_CHANNEL


def apology_unavailable() -> str:
    return APOLOGY_UNAVAILABLE.format(official=official_channel())
