"""End to end over REST: the real Rasa server and action server, as a channel sees them."""

from __future__ import annotations

import uuid

import pytest

from scripts.stack import running_assistant

pytestmark = pytest.mark.e2e


def reply_text(messages) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


@pytest.mark.parametrize("question", [
    "lam ly lich tu phap o dau",
    "Làm lý lịch tư pháp ở đâu?",
    "lltp nop o dau a",
])
def test_where_to_get_the_judicial_record_is_the_police(assistant, question):
    answer = reply_text(assistant.ask(new_sender(), question))
    assert "Công an" in answer, answer


def test_follow_up_fee_keeps_the_context(assistant):
    sender = new_sender()
    assistant.ask(sender, "lam ly lich tu phap o dau")
    answer = reply_text(assistant.ask(sender, "phí bao nhiêu?"))
    assert "200.000" in answer and "Phiếu lý lịch tư pháp" in answer, answer
    answer = reply_text(assistant.ask(sender, "con bao lau thi co"))
    assert "5 ngày làm việc" in answer, answer


def test_conversations_do_not_share_context(assistant):
    assistant.ask("someone-else", "lam ly lich tu phap o dau")
    answer = assistant.ask(new_sender(), "phí bao nhiêu?")
    assert "thủ tục nào" in reply_text(answer) and answer[0]["buttons"]


def test_pressing_a_button_continues_the_conversation(assistant):
    sender = new_sender()
    question = assistant.ask(sender, "phi bao nhieu")
    button = next(b for m in question for b in m.get("buttons", [])
                  if "lý lịch" in b["title"].lower())
    answer = reply_text(assistant.ask(sender, button["payload"]))
    assert "200.000" in answer, answer


def test_greeting_shows_the_topics_as_buttons(assistant):
    answer = assistant.ask(new_sender(), "/greet")
    assert "Xin chào" in reply_text(answer)
    assert any(b["title"] == "Phiếu lý lịch tư pháp" for m in answer for b in m.get("buttons", []))


def test_other_procedures_answer_from_the_catalog(assistant):
    answer = reply_text(assistant.ask(new_sender(), "chứng thực bản sao ở đâu"))
    assert "xã" in answer.lower(), answer


@pytest.mark.parametrize("message", [
    "", "   ", "😀😀😀", "<script>alert('x')</script>", "a" * 10_000,
    "\x00\x01\ufffd\u202e garbage", "Wie spät ist es?", "你好", "DROP TABLE events;",
])
def test_bad_input_gets_a_polite_reply_and_the_server_keeps_answering(assistant, message):
    sender = new_sender()
    answer = assistant.ask(sender, message)
    assert reply_text(answer).strip(), f"no reply to {message[:30]!r}"
    assert "Công an" in reply_text(assistant.ask(sender, "lltp lam o dau"))


def test_personal_numbers_do_not_reach_the_logs(assistant):
    cccd = "0" + str(uuid.uuid4().int)[:11]
    assistant.ask(new_sender(), f"em cccd {cccd} muốn xin lltp ở đâu")
    for log in ("rasa.log", "actions.log"):
        assert cccd not in (assistant.log_dir / log).read_text(errors="replace"), log


def test_context_survives_a_restart(model_path, tmp_path):
    """Conversations live in SQLite: a restarted server remembers the procedure."""
    sender = new_sender()
    with running_assistant(model=model_path, work_dir=tmp_path) as stack:
        stack.ask(sender, "lam ly lich tu phap o dau")
    with running_assistant(model=model_path, work_dir=tmp_path) as stack:
        answer = reply_text(stack.ask(sender, "phí bao nhiêu?"))
    assert "200.000" in answer, answer


# The law in force on the day asked: Luật 107/2025/QH15 since 01/7/2026. The shared assistant
# answers for today's real date; ASSISTANT_TODAY makes the action server answer for another.
TIME_QUESTION = "làm lý lịch tư pháp mất bao lâu"


def test_today_the_time_limit_is_five_working_days(assistant):
    answer = reply_text(assistant.ask(new_sender(), TIME_QUESTION))
    assert "5 ngày làm việc" in answer and "107/2025/QH15" in answer, answer
    assert "báo chí" in answer and "giấy hẹn" in answer, answer  # the hedge, what governs


def test_before_the_new_law_the_time_limit_was_ten_or_fifteen_days(model_path, tmp_path):
    with running_assistant(model=model_path, work_dir=tmp_path,
                           extra_env={"ASSISTANT_TODAY": "2026-06-15"}) as stack:
        answer = reply_text(stack.ask(new_sender(), TIME_QUESTION))
    assert "10 ngày làm việc" in answer and "15 ngày làm việc" in answer, answer
    assert "107/2025" not in answer.split("(Căn cứ")[0], answer


def test_a_question_assuming_the_department_issues_the_certificate_is_corrected_first(assistant):
    answer = assistant.ask(new_sender(), "làm lý lịch tư pháp ở sở tư pháp mất bao lâu")
    first_line = reply_text(answer).splitlines()[0]
    assert "Công an" in first_line and "VNeID" in first_line, first_line
