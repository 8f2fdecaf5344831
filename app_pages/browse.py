"""Browse: read each case study in full, its onboarding guide, and the themes map; ask about any."""

import re

import altair as alt
import pandas as pd
import streamlit as st

from assistant import Settings, ui
from assistant.guide import build_guide, guide_markdown, reading_path_markdown
from assistant.text import markdown_text

st.set_page_config(page_title="Browse the case studies · Case-study lessons")  # each page its own browser-tab title
settings = Settings.from_env()
answerer = ui.load(settings)
themes = ui.themes(settings, answerer)
cases = themes.cases

st.title("The case studies")
st.caption("Stories of larger and smaller charities working together, told by the organisations themselves "
           "(Rebalancing the Relationship, 2021).")
read, guide_tab, map_tab = st.tabs(["Read", "Guide", "Themes map"])

names = [c.short_title for c in cases]
chosen = st.sidebar.selectbox("Case study", names, key="browse_case", persist_state="session")
case = cases[names.index(chosen)]

with read:
    st.header(markdown_text(case.title))
    st.caption(markdown_text("Organisations: " + ", ".join(case.organisations)))
    if st.button(f"Ask about {markdown_text(case.short_title)}", type="primary"):
        st.session_state.case_filter = [case.short_title]
        st.switch_page("app_pages/chat.py")
    ui.read_case_study(answerer.retriever.passages_of(case.title))

with guide_tab:
    guide = guide_markdown(build_guide(answerer.retriever, case, themes))
    slug = re.sub(r"[^a-z0-9]+", "-", case.short_title.lower()).strip("-") or "case-study"
    st.download_button("Download this guide (Markdown)", data=guide, file_name=f"guide-{slug}.md", mime="text/markdown")
    st.markdown(guide)
    with st.expander("A reading path through all the case studies"):
        st.markdown(reading_path_markdown(themes))

with map_tab:
    st.caption("How strongly each case study speaks to each theme: the similarity of its best passages to the "
               "theme (0 to 1). Choose a cell to read the passages behind it.")
    cells = pd.DataFrame([{"theme": t.name, "case study": c.short_title, "strength": themes.scores[i][j]}
                          for i, t in enumerate(themes.themes) for j, c in enumerate(cases)])
    cell = alt.selection_point(fields=["theme", "case study"], name="cell")
    chart = alt.Chart(cells).mark_rect().encode(
        x=alt.X("case study:N", sort=names, axis=alt.Axis(labelAngle=-40, labelLimit=180, labelOverlap=False)),
        y=alt.Y("theme:N", sort=[t.name for t in themes.themes], axis=alt.Axis(labelLimit=220)),
        color=alt.Color("strength:Q", scale=alt.Scale(scheme="blues")),
        tooltip=["theme", "case study"],  # the shade says how strongly; a raw similarity means nothing to readers
    ).add_params(cell)
    event = st.altair_chart(chart, width="stretch", on_select="rerun", key="theme_map")
    picked = (event.selection.get("cell") or [None])[0] if event else None
    if picked and picked != st.session_state.get("map_picked"):  # a clicked cell drives the choices below
        st.session_state.map_picked = picked
        st.session_state.map_theme, st.session_state.map_case = picked["theme"], picked["case study"]
    theme_name = st.selectbox("Theme", [t.name for t in themes.themes], key="map_theme")
    cell_case = st.selectbox("Case study ", names, key="map_case")
    title = cases[names.index(cell_case)].title
    st.markdown(f"**{markdown_text(theme_name)} × {markdown_text(cell_case)}**: the passages behind this cell")
    for hit in themes.cells[(theme_name, title)]:
        st.markdown(f"- *{markdown_text(hit.passage.label)}*: {markdown_text(hit.passage.text)}")
