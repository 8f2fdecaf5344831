"""The web app's entry point: page setup and navigation only."""

import streamlit as st

st.set_page_config(page_title="Case-study lessons", layout="centered")
st.navigation([
    st.Page("app_pages/chat.py", title="Ask", icon=":material/chat:", default=True),
    st.Page("app_pages/browse.py", title="Browse the case studies", icon=":material/menu_book:"),
    st.Page("app_pages/briefing.py", title="Board briefing", icon=":material/description:"),
]).run()
