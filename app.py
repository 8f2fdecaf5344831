"""The web app's entry point: page setup and navigation only."""

import streamlit as st

st.set_page_config(page_title="Case-study lessons", layout="centered")
st.navigation([
    st.Page("pages/chat.py", title="Ask", icon=":material/chat:", default=True),
    st.Page("pages/browse.py", title="Browse the case studies", icon=":material/menu_book:"),
]).run()
