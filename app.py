"""The web app's entry point: page setup, who may come in (ui.access), and navigation."""

import streamlit as st

from assistant import ui

# an emoji tab icon is drawn by the browser itself; a :material/...: one is fetched from an outside
# font host by every visitor's browser
st.set_page_config(page_title="Case-study lessons", page_icon="💬", layout="centered")
try:
    ui.access(ui.settings())
except ValueError as error:  # a mistyped setting: say which on the page (the operator is looking at it)
    st.error(f"The app's settings need fixing: {error}")
    st.stop()
st.navigation([
    st.Page("app_pages/chat.py", title="Ask", default=True),
    st.Page("app_pages/browse.py", title="Browse the case studies"),
    st.Page("app_pages/briefing.py", title="Board briefing"),
]).run()
