"""Board briefing: a cited document on a topic, to preview and download as Word or Markdown."""

import re

import streamlit as st

from assistant import ui
from assistant.brief import briefing_docx, briefing_markdown, briefing_parts, build_briefing

st.set_page_config(page_title="Board briefing · Case-study lessons")  # each page its own browser-tab title
settings = ui.settings()
answerer = ui.load(settings)
themes = ui.themes(settings, answerer)

st.title("Board briefing")
st.caption("Every point is the case studies' own words with a numbered source; what they do not cover is said "
           "plainly. Questions for the board come from a curated list written from the report's learning.")
topic = st.text_input("Topic", placeholder="Managing a power imbalance with a smaller partner", key="briefing_topic",
                      persist_state="session")
if st.button("Prepare briefing", type="primary") and not topic.strip():
    st.info("Type a topic first, for example: managing a power imbalance with a smaller partner.")
if topic.strip():
    wanted = (" ".join(topic.split())[: settings.max_question_chars], answerer.retriever.snapshot.fingerprint)
    if st.session_state.get("briefing_built", (None,))[0] != wanted:  # built once: a download click doesn't rebuild it
        briefing = build_briefing(answerer, wanted[0], themes)
        st.session_state.briefing_built = (wanted, briefing, briefing_markdown(briefing), briefing_docx(briefing))
    _, briefing, markdown, word = st.session_state.briefing_built
    name = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:60] or "briefing"
    left, right = st.columns(2)
    left.download_button("Download as Word", data=word, file_name=f"briefing-{name}.docx",
                         mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    right.download_button("Download as Markdown", data=markdown, file_name=f"briefing-{name}.md", mime="text/markdown")
    ui.cited_document(f"Board briefing: {briefing.topic}", briefing_parts(briefing), "briefing")
