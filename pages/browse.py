"""Browse: read each case study in full, with its structure, and ask about it."""

import streamlit as st

from assistant import Settings, ui
from assistant.answer import markdown_text

settings = Settings.from_env()
answerer = ui.load(settings)
cases = [c for c in answerer.retriever.catalogue.cases if c.organisations]

st.title("The case studies")
st.caption("Eight stories of larger and smaller charities working together, told by the organisations "
           "themselves (Rebalancing the Relationship, 2021).")
names = [c.short_title for c in cases]
chosen = st.selectbox("Case study", names, key="browse_case")
case = cases[names.index(chosen)]

st.header(markdown_text(case.title))
st.caption(markdown_text("Organisations: " + ", ".join(case.organisations)))
if st.button(f"Ask about {case.short_title}", type="primary"):
    st.session_state.case_filter = [case.short_title]
    st.switch_page("pages/chat.py")
ui.read_case_study(answerer.retriever.store.passages_of(case.title))
