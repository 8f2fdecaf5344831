"""Streamlit widgets shared by the app's pages: the only module of the package that imports
streamlit. Layout and session state live here and in app_pages/; answers, sources, the index and
feedback come from the rest of the package."""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
from collections import OrderedDict

import streamlit as st

from .answer import Answerer
from .brief import Citation, Part, plain_text, source_line
from .errors import AssistantError
from .feedback import FeedbackStore
from .pipeline import answerer_over, connect, update_index
from .records import Answer, Filters, Passage
from .settings import PROVIDER_VARIABLES, Settings
from .text import markdown_text
from .themes import ThemeMap, load_themes, theme_map

SECTIONS = ["overview", "Challenges", "Enablers", "Learning"]
QUESTIONS_PER_MINUTE = 20  # per browser session: a reader asks a few a minute; more is a script
RATINGS_PER_MINUTE = 30
WHOLE_PASSAGE_SHARE = 0.8  # a citation quoting this much of its passage is shown as the passage alone
CONVERSATIONS_KEPT = 500  # the most recently used, in the server's memory; each is a few answers


@st.cache_resource(show_spinner=False, max_entries=8)
def _settings_from(environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings.from_env(dict(environment))


def settings() -> Settings:
    """Read from the environment and checked once per server process, not on every rerun of every
    page (once per environment: each test points its app at an index of its own). A mistyped value
    raises ValueError every time, so each page says so."""
    environment = tuple(sorted((name, value) for name, value in os.environ.items()
                               if name.startswith("ASSISTANT_") or name in PROVIDER_VARIABLES.values()))
    return _settings_from(environment)


@st.cache_resource(show_spinner=False)
def _shared(settings: Settings):
    """Store connection and model: one per server process, shared by every session and rerun."""
    return connect(settings)


@st.cache_resource(show_spinner=False)
def _answerer(settings: Settings) -> Answerer:
    """One per server process; its retriever follows the index when an ingest publishes."""
    return answerer_over(settings, *_shared(settings))


@st.cache_resource(show_spinner="Mapping themes across the case studies…", max_entries=2)
def _theme_map(settings: Settings, fingerprint: str) -> ThemeMap:
    return theme_map(_answerer(settings).retriever, load_themes(settings.themes_file))


def themes(settings: Settings, answerer: Answerer) -> ThemeMap:
    """The themes map for the current index, computed once per index build and shared."""
    try:
        return _theme_map(settings, answerer.retriever.snapshot.fingerprint)
    except AssistantError as error:
        st.error(str(error))
        st.stop()
        raise


@st.cache_resource(show_spinner=False)
def feedback_store(settings: Settings) -> FeedbackStore:
    return FeedbackStore(settings.feedback_db)


def _sign_in_configured() -> bool:
    """Streamlit's own sign-in (OIDC) is set up in .streamlit/secrets.toml's [auth] table."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: streamlit raises its own not-found error
        return False


def _served_beyond_loopback() -> bool:
    address = str(st.get_option("server.address") or "")
    return address not in ("127.0.0.1", "localhost", "::1")


def access(settings: Settings) -> None:
    """Who may use the app: with Streamlit's sign-in configured, only people signed in; served to
    the network with no sign-in at all, a warning on every page (and in the server's log)."""
    if _sign_in_configured():
        if not st.user.is_logged_in:
            st.title("Lessons from charity partnerships")
            st.button("Sign in", on_click=st.login, type="primary")
            st.stop()
        st.sidebar.button("Sign out", on_click=st.logout)
    elif _served_beyond_loopback() and not settings.sign_in_proxy:
        st.warning("Anyone who can reach this address can use this app: nobody is asked to sign in. "
                   "The README's \"Running it for a team\" section says how to add sign-in.", icon=":material/lock_open:")


def load(settings: Settings, rebuild: bool = False) -> Answerer:
    """The answerer over an up-to-date index. A first run (or a changed corpus) builds the
    index with visible progress; errors stop the page with one clear message."""
    try:
        store, embedder = _shared(settings)
        if rebuild or not st.session_state.get("index_checked"):
            box = st.empty()  # the progress shows while the index is checked or built, then goes
            with box.status("Checking the case studies…", expanded=False) as status:
                bar = st.empty()

                def progress(done: int, total: int, message: str) -> None:
                    status.update(label=f"Preparing the case studies: {message}", expanded=True)
                    bar.progress(min(done / max(total, 1), 1.0), text=message)

                built = update_index(settings, store, embedder, progress, rebuild=rebuild)
            box.empty()
            if built:
                st.toast("The case studies are ready.")
            st.session_state.index_checked = True
        return _answerer(settings)
    except AssistantError as error:
        st.error(str(error))
        st.stop()
        raise  # unreachable: st.stop() ends the script run


@st.cache_resource(show_spinner=False, max_entries=1000)
def _sections_of(settings: Settings, fingerprint: str, case_study: str) -> frozenset[str]:
    return frozenset(p.section for p in _answerer(settings).retriever.passages_of(case_study))


def sections_of(settings: Settings, answerer: Answerer, case_study: str) -> frozenset[str]:
    """The sections a case study has, read from the index once per index build, not on every rerun."""
    return _sections_of(settings, answerer.retriever.snapshot.fingerprint, case_study)


@st.cache_resource(show_spinner=False)
def _conversations() -> OrderedDict[str, list[dict]]:
    return OrderedDict()


_conversations_lock = threading.Lock()


def conversation(new: bool = False) -> list[dict]:
    """This browser's conversation, kept on the server under an unguessable id in the page's
    address, so a reload finds it again (while the server runs and it is among the last
    CONVERSATIONS_KEPT used). Only ids the server gave out are taken from an address."""
    kept = _conversations()
    key = "" if new else st.session_state.get("conversation") or st.query_params.get("conversation", "")
    with _conversations_lock:
        if key not in kept:
            key = secrets.token_urlsafe(16)
            kept[key] = []
            while len(kept) > CONVERSATIONS_KEPT:
                kept.popitem(last=False)
        kept.move_to_end(key)
        turns = kept[key]
    st.session_state.conversation = key
    st.query_params["conversation"] = key
    return turns


def within_rate(per_minute: int, what: str) -> bool:
    """Counts one more `what` for this browser session; false once it has had `per_minute` in
    the last minute (one tab cannot flood the server or the feedback store)."""
    now = time.monotonic()
    recent = [t for t in st.session_state.get(f"rate-{what}", []) if now - t < 60]
    allowed = len(recent) < per_minute
    st.session_state[f"rate-{what}"] = recent + [now] if allowed else recent
    return allowed


def _case_names(answerer: Answerer) -> dict[str, str]:
    """Short title -> title of every case study (not the report's preface)."""
    return {c.short_title: c.title for c in answerer.retriever.catalogue.case_studies}


def chosen_filters(answerer: Answerer) -> Filters:
    """The filters the visitor chose (`scope_bar`), read before the pickers are drawn: they are kept
    in the session, also while the visitor reads another page."""
    cases = _case_names(answerer)
    return Filters(tuple(cases[c] for c in st.session_state.get("case_filter", []) if c in cases),
                   tuple(st.session_state.get("section_filter", [])))


def sidebar(answerer: Answerer, settings: Settings) -> int:
    """Answer length, mode and (for operators) the index; returns the word budget."""
    with st.sidebar:
        # persist_state: kept while the visitor reads another page, and there when they come back
        words = st.slider("Answer length (words)", 60, 400, settings.answer_words, step=20, key="answer_words",
                          persist_state="session")
        if answerer.chat_model is None:
            st.caption("Answer mode: **offline** — the case studies' own words, every point cited.")
        else:
            st.caption(f"Answer mode: **{markdown_text(settings.llm or '')}**, every sentence checked against the "
                       "passage it cites; unsupported ones are removed.")
        if settings.operator:  # rebuilding drops and re-embeds everything: not for visitors
            state = answerer.retriever.index.state()
            st.caption(f"Index: {state.passages} passages, model {markdown_text(state.model)}, "
                       f"built {state.built_at or 'unknown'}")
            if st.button("Rebuild index"):
                load(settings, rebuild=True)
                st.rerun()
    return words


def _unfilter(key: str, value: str) -> None:
    st.session_state[key] = [v for v in st.session_state.get(key, []) if v != value]


def scope_bar(answerer: Answerer) -> None:
    """Where answers come from, above the question box where it changes them (in the main area: on a
    phone the sidebar is closed): a "Focus" button opening the case-study and section pickers, then
    the filters in force, each removed with a tap."""
    bar = st.container(horizontal=True, wrap=True, vertical_alignment="center")  # wraps on a phone
    with bar.popover("Focus", help="Answer only from some case studies or sections"):
        st.multiselect("Case studies", list(_case_names(answerer)), key="case_filter", persist_state="session")
        st.multiselect("Sections", SECTIONS, key="section_filter", persist_state="session")
    chosen = [("case_filter", v) for v in st.session_state.get("case_filter", [])]
    chosen += [("section_filter", v) for v in st.session_state.get("section_filter", [])]
    if chosen:
        bar.caption("Answers only from:", width="content")
    for key, value in chosen:
        bar.button(f"✕ {markdown_text(value)}", key=f"unfilter-{key}-{value}", on_click=_unfilter, args=(key, value),
                   help=f"Stop limiting answers to {markdown_text(value)}")


def highlighted(passage: Passage, excerpts: tuple[str, ...]) -> str:
    """The passage as Markdown with the text the answer quotes in bold."""
    text = markdown_text(passage.text)
    for excerpt in excerpts:
        for line in excerpt.split("\n"):
            line = markdown_text(line.strip())
            if line and line in text:
                text = text.replace(line, f"**{line}**", 1)
    return re.sub(r"\n", "  \n", text)


_CITATION = re.compile(r"(?<!\\)\[(\d+)\]")  # [3] as the answer writes it; "\[3\]" is quoted text


def linked_citations(text: str, place: int | str) -> str:
    """An answer or document (already safe Markdown) with each [n] a link to its source card, whose
    anchor is "source-{place}-{n}": place is the chat turn, or the document ("briefing", "guide")."""
    return _CITATION.sub(lambda m: f"[\\[{m.group(1)}\\]](#source-{place}-{m.group(1)})", text)


def source_card(citation: Citation, place: int | str) -> None:
    """A source as a card, closed, with the anchor its [n] links to inside it (following a link into
    a closed card opens it in browsers that support that, Chromium among them). It leads with the
    sentence cited, unless that is the whole passage, then shows the passage with it in bold."""
    passage = citation.passage
    with st.expander(f"[{citation.number}] {markdown_text(passage.label)}"):
        st.html(f'<span id="source-{place}-{citation.number}"></span>')  # our own numbers only
        cited = " ".join(line.strip() for quoted in citation.quoted for line in quoted.split("\n") if line.strip())
        if cited and len(cited) < WHOLE_PASSAGE_SHARE * len(passage.text):
            st.markdown(f"> {markdown_text(cited)}")
        named = all(o in passage.case_study for o in passage.organisations)  # in the title's brackets, mostly
        st.caption(markdown_text(passage.case_study + ("" if named else f" · {', '.join(passage.organisations)}")
                                 + (f" · quote from {passage.attribution}" if passage.attribution else "")))
        st.markdown(highlighted(passage, citation.quoted))


def _citations(answer: Answer) -> list[Citation]:
    return [Citation(n, hit.passage, answer.excerpts[n - 1] if n <= len(answer.excerpts) else ())
            for n, hit in enumerate(answer.sources, 1)]


def source_cards(answer: Answer, turn: int) -> None:
    for citation in _citations(answer):
        source_card(citation, turn)


def copy_button(answer: Answer) -> None:
    """The answer and its sources as plain text to paste into an email or a paper, in a code block,
    whose own button copies it (Streamlit's, in the page: nothing fetched). A code block shows its
    text literally, so nothing in it is read as Markdown or HTML."""
    lines = [plain_text(answer.text)]
    if answer.notice:  # what the page shows beside it: a widened filter, a dated text
        lines += ["", f"Note: {answer.notice}"]
    if answer.sources:
        lines += ["", "Sources:"] + [source_line(c) for c in _citations(answer)]
    with st.popover("Copy answer"):
        st.caption("Tap or point at the text, then at the copy icon in its corner.")
        st.code("\n".join(lines), language=None, wrap_lines=True)


def cited_document(title: str, parts: list[Part], place: str) -> None:
    """A briefing or guide on the page: each section with its [n] linked to the section's own source
    cards, right under it."""
    st.markdown(f"# {markdown_text(title)}")
    for part in parts:
        st.markdown(f"## {part.heading}\n\n{linked_citations(part.text, place)}")
        for citation in part.citations:
            source_card(citation, place)


def read_case_study(passages: list[Passage]) -> None:
    """A case study in full, with its structure: sections, numbered lessons, quotes, lists."""
    section = None
    for passage in passages:
        if passage.section != section:
            section = passage.section
            if section != "overview":
                st.subheader(markdown_text(section))
        text = markdown_text(passage.text)
        if passage.kind == "lesson":
            st.markdown(f"**{passage.lesson}.** {text}")
        elif passage.kind == "quote":
            st.markdown("> " + text.replace("\n", "\n> "))
        elif passage.kind == "list":
            lead, *items = text.split("\n")
            st.markdown("\n".join([lead, ""] + [f"- {item.lstrip('• ')}" for item in items]))
        else:
            st.markdown(text)
