"""The web chat: layout only. Answers, sources and errors all come from the `assistant` package."""

from __future__ import annotations

import streamlit as st

from assistant import AssistantError, Filters, Settings, open_answerer
from assistant.answer import markdown_text

STARTERS = [
    "How do we handle a power imbalance with a smaller partner?",
    "What should a large charity do before bidding with small partners?",
    "What did Touchstone learn?",
]

st.set_page_config(page_title="Case-study lessons", page_icon="🤝", layout="centered")


@st.cache_resource(show_spinner=False)
def load_answerer(settings: Settings):
    """One model and index per server process (and settings), shared by every session and rerun."""
    return open_answerer(settings)


def show_sources(sources: list[dict]) -> None:
    for number, source in enumerate(sources, 1):
        with st.expander(f"[{number}] {source['label']}"):
            st.caption(" · ".join(filter(None, [source["case_study"], ", ".join(source["organisations"])])))
            st.markdown(markdown_text(source["text"]))


st.title("Lessons from charity partnerships")
st.caption("Answers in the case studies' own words, each point cited. Eight case studies, England, 2021.")

try:
    with st.spinner("Loading the case studies (the first run builds the index)…"):
        answerer = load_answerer(Settings.from_env())
except AssistantError as error:
    st.error(str(error))
    st.stop()

cases = {c.short_title: c.title for c in answerer.retriever.catalogue.cases}
with st.sidebar:
    chosen_cases = st.multiselect("Case studies", list(cases))
    chosen_sections = st.multiselect("Sections", ["overview", "Challenges", "Enablers", "Learning"])
    if st.button("New conversation"):
        st.session_state.messages = []

messages: list[dict] = st.session_state.setdefault("messages", [])
for message in messages:
    with st.chat_message(message["role"]):
        st.markdown(message["content"] if message["role"] == "assistant" else markdown_text(message["content"]))
        show_sources(message.get("source_cards", []))

question = st.chat_input("Ask about the case studies")
if not messages and not question:
    st.write("Try one of these:")
    for starter in STARTERS:
        if st.button(starter):
            question = starter

if question:
    with st.chat_message("user"):
        st.markdown(markdown_text(question))
    with st.chat_message("assistant"):
        try:
            answer = answerer.ask(question, history=messages,
                                  filters=Filters(tuple(cases[c] for c in chosen_cases), tuple(chosen_sections)))
        except AssistantError as error:
            st.error(str(error))
            st.stop()
        st.write_stream(answerer.stream(answer))
        cards = [{"label": h.passage.label, "case_study": h.passage.case_study,
                  "organisations": list(h.passage.organisations), "text": h.passage.text} for h in answer.sources]
        show_sources(cards)
    messages.append({"role": "user", "content": question})
    messages.append({"role": "assistant", "content": answer.text, "source_cards": cards,
                     "case_studies": list(dict.fromkeys(h.passage.case_study for h in answer.sources)),
                     "sources": [h.passage.case_study for h in answer.sources]})
