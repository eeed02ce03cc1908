"""Everything the citizen reads that does not come from Rasa, in polite Vietnamese.

Kept in one place so the department can review the wording without reading code."""

APOLOGY_UNAVAILABLE = (
    "Xin lỗi anh/chị, hệ thống trả lời đang tạm thời gián đoạn. "
    "Anh/chị vui lòng gửi lại câu hỏi sau ít phút nữa ạ."
)
NO_ANSWER = (
    "Xin lỗi, trợ lý chưa có câu trả lời cho nội dung này. "
    "Anh/chị có thể hỏi lại bằng cách khác hoặc gõ /menu để xem các chủ đề ạ."
)
CHOOSE_OPTION = "Mời anh/chị chọn một mục bên dưới:"
TEXT_ONLY = (
    "Xin lỗi, trợ lý hiện chỉ đọc được tin nhắn văn bản nên chưa xử lý được {kind}. "
    "Anh/chị vui lòng gõ câu hỏi bằng chữ, hoặc gõ /menu để xem các chủ đề ạ."
)
EDITED = (
    "Trợ lý không đọc lại tin nhắn đã được sửa. "
    "Nếu anh/chị muốn hỏi lại, xin vui lòng gửi một tin nhắn mới ạ."
)
TOO_LONG = (
    "Tin nhắn của anh/chị hơi dài ({length} ký tự) nên trợ lý chưa xử lý được. "
    "Anh/chị vui lòng tóm tắt câu hỏi trong khoảng {limit} ký tự ạ."
)
SLOW_DOWN = (
    "Anh/chị đang gửi tin nhắn hơi nhanh. "
    "Xin vui lòng chờ khoảng {seconds} giây rồi gửi tiếp, trợ lý sẽ trả lời ngay ạ."
)
BUTTON_EXPIRED = "Nút này đã hết hạn. Anh/chị vui lòng gõ /menu để xem lại các chủ đề ạ."
UNKNOWN_COMMAND = (
    "Xin lỗi, trợ lý chưa hiểu lệnh này. Anh/chị có thể gõ /start để bắt đầu, "
    "/menu để xem các chủ đề, hoặc gõ câu hỏi trực tiếp ạ."
)

# Bot command list shown by Telegram next to the input field (set at start-up).
COMMANDS = (
    ("start", "Bắt đầu trò chuyện với trợ lý thủ tục"),
    ("menu", "Xem các chủ đề trợ lý có thể giúp"),
    ("help", "Hướng dẫn sử dụng và các chủ đề"),
)

# What a non-text message is called in the TEXT_ONLY notice, by Message attribute.
MEDIA_KINDS = (
    ("sticker", "nhãn dán (sticker)"),
    ("photo", "hình ảnh"),
    ("voice", "tin nhắn thoại"),
    ("audio", "tệp âm thanh"),
    ("video_note", "tin nhắn video"),
    ("video", "video"),
    ("animation", "ảnh động"),
    ("document", "tệp đính kèm"),
    ("location", "vị trí"),
    ("venue", "địa điểm"),
    ("contact", "danh bạ"),
    ("poll", "cuộc thăm dò"),
    ("dice", "biểu tượng này"),
)
MEDIA_FALLBACK = "nội dung này"
