"""Browse: read each case study in full, its onboarding guide, and the themes map; ask about any."""

import re

import altair as alt
import pandas as pd
import streamlit as st

from assistant import ui
from assistant.guide import build_guide, guide_markdown, guide_parts, reading_path_markdown
from assistant.text import markdown_text

st.set_page_config(page_title="Browse the case studies · Case-study lessons")  # each page its own browser-tab title
settings = ui.settings()
answerer = ui.load(settings)
themes = ui.themes(settings, answerer)
cases = themes.cases

st.title("The case studies")
st.caption(markdown_text(f"Larger and smaller charities working together: {answerer.retriever.catalogue.description()}."))
names = [c.short_title for c in cases]
chosen = st.selectbox("Case study", names, key="browse_case", persist_state="session")  # in the main area: also on a phone
# tracked, so a choice made inside a tab (a theme, a case study) reruns the page without leaving the tab
read, guide_tab, map_tab = st.tabs(["Read", "Guide", "Themes map"], key="browse_tab", on_change="rerun")
case = cases[names.index(chosen)]

with read:
    st.header(markdown_text(case.title))
    st.caption(markdown_text("Organisations: " + ", ".join(case.organisations)))
    if st.button(f"Ask about {markdown_text(case.short_title)}", type="primary"):
        st.session_state.case_filter = [case.short_title]
        st.switch_page("app_pages/chat.py")
    ui.read_case_study(answerer.retriever.passages_of(case.title))

with guide_tab:
    guide = build_guide(answerer.retriever, case, themes)
    slug = re.sub(r"[^a-z0-9]+", "-", case.short_title.lower()).strip("-") or "case-study"
    st.download_button("Download this guide (Markdown)", data=guide_markdown(guide), file_name=f"guide-{slug}.md",
                       mime="text/markdown")
    ui.cited_document(case.title, guide_parts(guide), "guide")
    with st.expander("A reading path through all the case studies"):
        st.markdown(reading_path_markdown(themes))

with map_tab:
    st.caption("How strongly each case study speaks to each theme, judged by how close its passages come to the "
               "theme. Choose a theme, then a case study, to read the passages behind it.")
    theme_names = [t.name for t in themes.themes]
    with st.expander("The whole map: every theme against every case study (best on a wide screen)"):
        cells = pd.DataFrame([{"theme": t.name, "case study": c.short_title, "strength": themes.scores[i][j]}
                              for i, t in enumerate(themes.themes) for j, c in enumerate(cases)])
        cell = alt.selection_point(fields=["theme", "case study"], name="cell")
        chart = alt.Chart(cells).mark_rect().encode(
            x=alt.X("case study:N", sort=names, axis=alt.Axis(labelAngle=-40, labelLimit=180, labelOverlap=False)),
            y=alt.Y("theme:N", sort=theme_names, axis=alt.Axis(labelLimit=220)),
            color=alt.Color("strength:Q", scale=alt.Scale(scheme="blues")),
            tooltip=["theme", "case study"],  # the shade says how strongly; a raw similarity means nothing to readers
        ).add_params(cell)
        event = st.altair_chart(chart, width="stretch", on_select="rerun", key="theme_map")
    picked = (event.selection.get("cell") or [None])[0] if event else None
    if picked and picked != st.session_state.get("map_picked"):  # a clicked cell drives the choices below
        st.session_state.map_picked = picked
        st.session_state.map_theme = picked["theme"]
        st.session_state[f"map_case-{picked['theme']}"] = picked["case study"]
    # a list rather than a grid: eight columns of cells are too narrow to read or tap on a phone
    theme_name = st.selectbox("Theme", theme_names, key="map_theme")
    row = themes.scores[theme_names.index(theme_name)]
    ranked = [names[j] for j in sorted(range(len(cases)), key=lambda j: -row[j])]
    about = {c.short_title: re.sub(r"\s*\([^()]*\)\s*$", "", c.title) for c in cases}  # the title, without its names
    cell_case = st.radio("Case studies, the strongest on this theme first", ranked, format_func=markdown_text,
                         captions=[markdown_text(about[name]) for name in ranked],  # and a taller target to tap
                         key=f"map_case-{theme_name}")  # one choice per theme: each opens on its strongest
    title = cases[names.index(cell_case)].title
    st.markdown(f"**{markdown_text(theme_name)} × {markdown_text(cell_case)}**: the passages behind this")
    for hit in themes.cells[(theme_name, title)]:
        st.markdown(f"- *{markdown_text(hit.passage.label)}*: {markdown_text(hit.passage.text)}")
