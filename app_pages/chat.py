"""Ask: the chat. Follow-ups use the conversation; each answer shows its sources and takes feedback."""

import streamlit as st

from assistant import AssistantError, BadQuestion, ui
from assistant.answer import clean_question
from assistant.feedback import MAX_COMMENT_CHARS, THUMBS_UP
from assistant.text import markdown_text
from assistant.transcript import transcript_markdown

STARTERS = {
    "Asking a question": [
        "How do we handle a power imbalance with a smaller partner?",
        "How can a large charity share its infrastructure with small partners?",
    ],
    "Preparing for a board discussion": [
        "What risks should a board weigh before leading a partnership bid?",
        "What makes a good lead partner?",
    ],
    "Getting to know the cases": [
        "What did Touchstone learn?",
        "What is the STAGE partnership?",
    ],
}
# a case study's own starters, one for each section it has
SECTION_STARTERS = {"overview": "Who was involved in {case}?", "Challenges": "What challenges did {case} face?",
                    "Enablers": "What helped {case} work together?", "Learning": "What did {case} learn?"}

st.set_page_config(page_title="Ask · Case-study lessons")  # each page its own browser-tab title
settings = ui.settings()
answerer = ui.load(settings)
filters, words = ui.chosen_filters(answerer), ui.sidebar(answerer, settings)
feedback = ui.feedback_store(settings)
turns = ui.conversation()  # {"question", "answer", "rating_id", "rating", "comment"}

with st.sidebar:
    if st.button("New conversation"):
        for key in [k for k in st.session_state if str(k).startswith(("rating-", "comment-"))]:
            del st.session_state[key]  # the last conversation's ratings are not this one's
        turns = ui.conversation(new=True)

st.title("Lessons from charity partnerships")
st.caption(markdown_text("Answers in the case studies' own words, every point cited, and a plain “not covered” when "
                        f"they don't say. From {answerer.retriever.catalogue.description()}."))


def history(earlier: list[dict]) -> list[dict]:
    """Earlier turns as the answerer reads a conversation (and feedback stores it)."""
    found = []
    for turn in earlier:
        answer = turn["answer"]
        found += [{"role": "user", "content": turn["question"]},
                  {"role": "assistant", "content": answer.text,
                   "case_studies": list(dict.fromkeys(h.passage.case_study for h in answer.sources)),
                   "sources": [h.passage.case_study for h in answer.sources]}]
    return found


def rate(index: int) -> None:
    turn, value = turns[index], st.session_state[f"rating-{index}"]
    if value is None or not ui.within_rate(ui.RATINGS_PER_MINUTE, "ratings"):
        return
    if turn.get("rating_id") is None:
        turn["rating_id"] = feedback.record(turn["answer"], value, history=history(turns[:index]))
    else:
        feedback.change_rating(turn["rating_id"], value)
    turn["rating"] = value


def ask_for_feedback(index: int, turn: dict) -> None:
    # what this answer was given, shown again after another page or a reload (the widgets' own state goes)
    st.session_state.setdefault(f"rating-{index}", turn.get("rating"))
    st.session_state.setdefault(f"comment-{index}", turn.get("comment", ""))
    st.feedback("thumbs", key=f"rating-{index}", on_change=rate, args=(index,))
    if turn.get("rating_id") is not None:
        liked = st.session_state.get(f"rating-{index}") == THUMBS_UP
        prompt = "What made it useful? (optional)" if liked else "What was wrong or missing? (optional)"
        comment = st.text_input(prompt, key=f"comment-{index}", max_chars=MAX_COMMENT_CHARS)
        if comment and turn.get("comment") != comment:
            feedback.add_comment(turn["rating_id"], comment)
            turn["comment"] = comment
            st.caption("Thank you: your comment is saved with this answer.")


def follow_ups(answer, asked: set[str]) -> list[str]:
    """Up to three next questions, each about a case study the answer cites and a section of it the
    answer did not draw on: made from the corpus's own structure, so each one has an answer. None
    the conversation has asked already (`asked`, case-folded)."""
    drawn_on = {(h.passage.case_study, h.passage.section) for h in answer.sources}
    cited = {h.passage.case_study: h.passage.short_title for h in answer.sources}
    sections = {title: ui.sections_of(settings, answerer, title) for title in cited}
    suggestions = [SECTION_STARTERS[section].format(case=short)
                   for section in ("Learning", "Enablers", "Challenges") for title, short in cited.items()
                   if section in sections[title] and (title, section) not in drawn_on]
    return [s for s in suggestions if s.casefold() not in asked][:3]


def show_turn(index: int, turn: dict) -> None:
    with st.chat_message("user"):
        st.markdown(markdown_text(turn["question"]))
    with st.chat_message("assistant"):
        st.markdown(ui.linked_citations(turn["answer"].text, index))
        if turn["answer"].notice:
            st.info(markdown_text(turn["answer"].notice))
        ui.source_cards(turn["answer"], index)
        ui.copy_button(turn["answer"])
        ask_for_feedback(index, turn)


for index, turn in enumerate(turns):
    show_turn(index, turn)

conversing = bool(turns)
if conversing:  # in the main body Streamlit keeps the page scrolled to its end: each new answer comes into view
    question = st.chat_input("Ask about the case studies", key="question")  # pinned under the page wherever called
else:  # pinned the same way, but the start page (and a phone) opens at its top, the title in view
    with st.bottom:
        ui.scope_bar(answerer)  # right above the question box
        question = st.chat_input("Ask about the case studies", key="question")
question = st.session_state.pop("starter", None) or question
if not turns and not question:
    starters = STARTERS
    if len(filters.case_studies) == 1:  # e.g. after Browse's "Ask about …": that case study's own questions
        [case] = [c for c in answerer.retriever.catalogue.cases if c.title == filters.case_studies[0]]
        sections = ui.sections_of(settings, answerer, case.title)
        starters = {f"About {case.short_title}": [question.format(case=case.short_title)
                                                  for section, question in SECTION_STARTERS.items() if section in sections]}
    for audience, examples in starters.items():
        st.markdown(f"**{audience}**")
        for example in examples:
            st.button(example, key=f"starter-{example}", on_click=st.session_state.__setitem__, args=("starter", example))

if question and not ui.within_rate(ui.QUESTIONS_PER_MINUTE, "questions"):
    st.warning("That is a lot of questions in a minute: please wait a moment before asking again.")
    question = None

if question:
    try:  # an empty or oversized question is told so, not added to the conversation
        clean_question(question, settings)
    except BadQuestion as error:
        st.error(str(error))
        question = None

if question:
    with st.chat_message("user"):
        st.markdown(markdown_text(question))
    with st.chat_message("assistant"):
        written = st.empty()
        try:
            streaming = answerer.ask_stream(question, history=history(turns), filters=filters, answer_words=words)
            with written.container():
                st.write_stream(streaming)
        except AssistantError as error:
            written.empty()
            st.error(str(error))
            st.stop()
        answer = streaming.answer
        assert answer is not None  # write_stream read the stream to its end, which sets it
        written.markdown(ui.linked_citations(answer.text, len(turns)))  # the verified text replaces what streamed
        if answer.notice:
            st.info(markdown_text(answer.notice))
        ui.source_cards(answer, len(turns))
        ui.copy_button(answer)
        turns.append({"question": question, "answer": answer, "rating_id": None})
        ask_for_feedback(len(turns) - 1, turns[-1])

if turns and (suggestions := follow_ups(turns[-1]["answer"], {t["question"].casefold() for t in turns})):
    st.caption("You could ask next:")
    for suggestion in suggestions:
        st.button(suggestion, key=f"followup-{suggestion}", on_click=st.session_state.__setitem__, args=("starter", suggestion))
if conversing:
    ui.scope_bar(answerer)  # last on the page: right above the question box

if turns:
    with st.sidebar:
        st.download_button("Download conversation (Markdown)", file_name="conversation.md", mime="text/markdown",
                           data=transcript_markdown([(t["question"], t["answer"]) for t in turns],
                                                    answerer.retriever.catalogue.description()))
