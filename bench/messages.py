"""What the load benchmark sends, as short episodes a citizen would type in a row: real
questions for our assistant (full questions, then follow-ups that rely on the previous
turn, in every writing style), and for stock Rasa's starter bot (moodbot) the paths of its
own stories, so that neither bot is sent messages that make no sense at that point."""

OUR_EPISODES = [
    ["phí làm lý lịch tư pháp bao nhiêu", "lam ly lich tu phap o dau", "cần giấy tờ gì",
     "bao lâu thì có"],
    ["chào ad, cho e hỏi xin phiếu lý lịch tư pháp số 2 làm thế nào ạ", "online dc ko",
     "còn phí?", "cảm ơn ạ"],
    ["chứng thực bản sao hết bao nhiêu tiền", "ở đâu ạ",
     "ủy quyền cho người nhà làm được không"],
    ["đăng ký khai sinh cho con cần giấy tờ gì", "có gửi bưu điện được không", "bao lâu?"],
    ["dang ky ket hon voi nguoi nuoc ngoai o dau", "mẫu tờ khai đâu ạ", "lệ phí bao nhiêu"],
    ["lltp bn tien", "phiếu lý lịch tư pháp có giá trị bao lâu",
     "còn làm ở sở tư pháp không"],
    ["công chứng với chứng thực khác nhau thế nào", "số điện thoại sở tư pháp", "tạm biệt"],
    ["em đi xklđ Nhật, cần phiếu lý lịch tư pháp số 2 thì nộp trên vneid được không ạ",
     "ai được xin", "căn cứ pháp lý là văn bản nào"],
]

# The paths of the starter bot's stories: greet, mood, (did that help? yes/no), goodbye.
STARTER_EPISODES = [
    ["hello", "I am sad", "yes", "bye"],
    ["hi there", "I am great", "goodbye"],
    ["good morning", "I am very unhappy", "no"],
    ["hey", "are you a bot?", "I feel very good", "bye bye"],
    ["good evening", "not good", "of course", "see you later"],
]
