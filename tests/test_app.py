"""The web app driven by Streamlit's AppTest.

Tests of what an answer says (`app`) run the real package over the real index built for this
session. Tests of how the pages behave (`page`) run it with FakeEmbeddings in place of the model,
at the one seam we own (`pipeline.connect`, which hands the pages their store and embedder), so
they need no model. Settings come from the environment, which each test points at its own index,
corpus and feedback file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.feedback import THUMBS_DOWN, THUMBS_UP, FeedbackStore
from assistant.ui import QUESTIONS_PER_MINUTE
from conftest import ROOT, FakeEmbeddings


@pytest.fixture
def feedback_db(tmp_path: Path) -> Path:
    return tmp_path / "feedback.sqlite3"


@pytest.fixture
def app(real_answerer, real_settings, feedback_db, monkeypatch) -> AppTest:
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(real_settings.index_dir))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(feedback_db))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()


@pytest.fixture(scope="session")
def fake_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index of the real corpus embedded by FakeEmbeddings: the first `page` builds it."""
    return tmp_path_factory.mktemp("fake-index")


@pytest.fixture
def page(fake_index_dir, feedback_db, monkeypatch) -> AppTest:
    """The app as a visitor opens it, with FakeEmbeddings in place of the model."""
    from assistant import ui
    from assistant.store import Store

    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(fake_index_dir))
    monkeypatch.setenv("ASSISTANT_MODEL", FakeEmbeddings.model_name)
    monkeypatch.setenv("ASSISTANT_FEEDBACK_DB", str(feedback_db))
    monkeypatch.setattr(ui, "connect", lambda settings: (Store(settings), FakeEmbeddings()))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()


def _answers(app: AppTest) -> list[str]:
    """Each answer as a reader sees it: a citation link reads "[1]"."""
    return [re.sub(r"\[\\\[(\d+)\\\]\]\(#source-\d+-\d+\)", r"[\1]", m.markdown[0].value)
            for m in app.chat_message if m.name == "assistant"]


def test_start_screen_offers_questions_for_each_audience(page):
    assert not page.exception
    labels = [b.label for b in page.button]
    assert "How do we handle a power imbalance with a smaller partner?" in labels
    assert {"Asking a question", "Preparing for a board discussion", "Getting to know the cases"} <= {
        m.value.strip("*") for m in page.markdown}


def test_a_starter_question_is_asked_and_answered_with_sources(app):
    app.button(key="starter-How do we handle a power imbalance with a smaller partner?").click().run()
    answer = _answers(app)[0]
    assert "[1]" in answer and "power" in answer
    written = next(m for m in app.chat_message if m.name == "assistant").markdown[0].value
    assert "[\\[1\\]](#source-0-1)" in written  # each [n] links to its source card (followed in test_browser)
    cards = [e.label for e in app.expander]
    assert cards and cards[0].startswith("[1] ")
    captions = [c.value for e in app.expander for c in e.caption]
    assert captions and not [c for c in captions if re.search(r"\((.+)\) · \1$", c)]  # the name once, not twice


def test_a_card_quoting_part_of_a_longer_passage_leads_with_that_part(app):
    app.chat_input[0].set_value("What challenges did Touchstone face?").run()  # its Challenges passages are long
    card = next(e for e in app.expander if [m for m in e.markdown if m.value.startswith("> ")])
    lead, passage = card.markdown[0].value, card.markdown[-1].value
    assert lead[2:60] in passage.replace("**", "") and "**" in passage and len(passage) > len(lead)


def test_follow_up_uses_the_conversation(app):
    app.chat_input[0].set_value("What did P3 and Cohort 4 do together?").run()
    app.chat_input[0].set_value("What did they learn?").run()
    assert "Leave the ego at home" in _answers(app)[-1]
    assert all("P3 and Cohort 4" in e.label for e in app.expander)


def test_case_study_filter_is_applied(app):
    app.multiselect(key="case_filter").set_value(["London VAWG Consortium"]).run()
    app.chat_input[0].set_value("How do partners build trust?").run()
    assert {e.label.split("] ")[1].split(",")[0] for e in app.expander} == {"London VAWG Consortium"}


@pytest.mark.parametrize("question", ["What did they learn?", "What were the challenges?", "Who was involved?",
                                      "Summarise this case study", "key takeaways for our board?"])
def test_short_questions_under_a_case_study_filter_are_about_that_case_study(app, question):
    app.multiselect(key="case_filter").set_value(["Touchstone and Live Well Leeds"]).run()
    app.chat_input[0].set_value(question).run()
    answer = _answers(app)[0]
    assert "[1]" in answer and not answer.startswith("The case studies don")
    assert {e.label.split("] ")[1].split(",")[0] for e in app.expander} == {"Touchstone and Live Well Leeds"}


def test_a_question_the_filter_excludes_is_answered_from_all_and_says_so(app):
    app.multiselect(key="case_filter").set_value(["Touchstone and Live Well Leeds"]).run()
    app.chat_input[0].set_value("What does VAWG stand for?").run()
    assert "violence against women and girls" in _answers(app)[0]
    assert any("your filter" in i.value for i in app.info)


def test_feedback_and_comment_are_stored_with_the_answer(page, feedback_db):
    page.chat_input[0].set_value("What is generous leadership?").run()
    page.feedback[0].set_value(THUMBS_DOWN).run()
    page.text_input[0].input('It should quote "generous leadership" from Creative Youth Network').run()
    [rating] = FeedbackStore(feedback_db).ratings()
    assert (rating.question, rating.rating) == ("What is generous leadership?", THUMBS_DOWN)
    assert rating.answer == _answers(page)[0] and rating.sources
    assert rating.comment.startswith("It should quote")


def test_conversation_export_resolves_citations(page):
    page.chat_input[0].set_value("What did Touchstone learn?").run()
    [button] = page.get("download_button")
    assert button.label == "Download conversation (Markdown)"
    assert not page.exception


def test_new_conversation_clears_the_chat(page):
    page.chat_input[0].set_value("What did Touchstone learn?").run()
    next(b for b in page.button if b.label == "New conversation").click().run()
    assert _answers(page) == []


def test_browse_page_reads_a_case_study_in_full(page):
    page = page.switch_page("app_pages/browse.py").run()
    page.selectbox(key="browse_case").set_value("Touchstone and Live Well Leeds").run()
    text = " ".join(m.value for m in page.markdown)
    assert "**1.** Collaboration works." in text and "**3.** It is worth the hard work" in text
    assert [s.value for s in page.subheader] == ["Challenges", "Enablers", "Learning"]


@pytest.mark.parametrize("question, message", [("   ", "Please type a question"), ("why? " * 1000, "the limit is")])
def test_an_empty_or_oversized_question_is_told_so_and_not_added_to_the_conversation(page, question, message):
    page.chat_input[0].set_value(question).run()
    assert message in page.error[0].value
    assert not [m for m in page.chat_message if m.name == "user"]  # no empty or 5,000-character bubble


def test_markup_in_a_question_is_shown_as_text(page):
    page.chat_input[0].set_value("<img src=x onerror=alert(1)> What is trust?").run()
    shown = [m.markdown[0].value for m in page.chat_message if m.name == "user"][0]
    assert shown.startswith("\\<img") and not page.exception


def test_the_first_run_builds_the_index_and_says_so(real_answerer, monkeypatch, tmp_path):
    """`real_answerer` has the model adapted first (~3 minutes in a fresh clone): this is about the index."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "new-index"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    assert [t.value for t in app.toast] == ["The case studies are ready."]
    assert not app.status  # the progress box goes once the index is ready; nothing stays on the page
    app.chat_input[0].set_value("What is generous leadership?").run()
    assert "[1]" in _answers(app)[0]


def test_an_empty_corpus_shows_one_clear_error(monkeypatch, tmp_path):
    (tmp_path / "empty-corpus").mkdir()
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "empty-corpus"))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "no-index"))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert len(app.error) == 1 and "has no readable case studies" in app.error[0].value
    assert not app.exception and not app.chat_input


def test_an_unreachable_chroma_server_shows_one_clear_error(monkeypatch):
    monkeypatch.setenv("ASSISTANT_CHROMA_URL", "http://127.0.0.1:9")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert len(app.error) == 1 and "cannot reach the Chroma server at http://127.0.0.1:9" in app.error[0].value
    assert not app.exception


def test_ask_about_this_case_study_opens_the_chat_filtered_to_it(app):
    app.switch_page("app_pages/browse.py").run()
    app.selectbox(key="browse_case").set_value("P3 and Cohort 4").run()
    next(b for b in app.button if b.label == "Ask about P3 and Cohort 4").click().run()
    assert app.multiselect(key="case_filter").value == ["P3 and Cohort 4"]
    app.switch_page("app_pages/chat.py").run()  # AppTest reruns the page it was last told, not st.switch_page's
    starters = [b.label for b in app.button if b.key and b.key.startswith("starter-")]
    assert starters == ["Who was involved in P3 and Cohort 4?", "What challenges did P3 and Cohort 4 face?",
                        "What helped P3 and Cohort 4 work together?", "What did P3 and Cohort 4 learn?"]
    app.chat_input[0].set_value("How did they share risk?").run()
    assert {e.label.split("] ")[1].split(",")[0] for e in app.expander} == {"P3 and Cohort 4"}


def test_briefing_page_previews_and_offers_word_and_markdown(app):
    app.switch_page("app_pages/briefing.py").run()
    app.text_input(key="briefing_topic").input("Managing a power imbalance with a smaller partner").run()
    text = "\n".join(m.value for m in app.markdown)
    assert "## Questions for the board" in text
    assert [b.label for b in app.get("download_button")] == ["Download as Word", "Download as Markdown"]


def test_the_briefing_page_has_a_button_that_says_what_to_do(page):
    page.switch_page("app_pages/briefing.py").run()
    page.button[0].click().run()
    assert page.button[0].label == "Prepare briefing" and "Type a topic first" in page.info[0].value


def test_each_citation_in_a_briefing_links_to_its_source_card_in_its_section(app):
    app.switch_page("app_pages/briefing.py").run()
    app.text_input(key="briefing_topic").input("Managing a power imbalance with a smaller partner").run()
    summary = next(m.value for m in app.markdown if m.value.startswith("## Summary"))
    assert "[\\[1\\]](#source-briefing-1)" in summary  # followed in test_browser
    cards = [e.label for e in app.expander]
    assert [int(label[1:label.index("]")]) for label in cards] == list(range(1, len(cards) + 1))  # each source once
    blocks = [el for el in app.main if el.type in ("markdown", "expander")]
    first_card = next(i for i, el in enumerate(blocks) if el.type == "expander")
    assert blocks[first_card - 1].value.startswith("## Summary")  # the summary's cards come right after it


def test_the_guide_cites_each_sentence_at_a_glance_to_its_source(app):
    app.switch_page("app_pages/browse.py").run()
    app.selectbox(key="browse_case").set_value("Touchstone and Live Well Leeds").run()
    glance = next(m.value for m in app.markdown if m.value.startswith("## At a glance"))
    assert "[\\[1\\]](#source-guide-1)" in glance
    assert "[1] Touchstone and Live Well Leeds, overview" in [e.label for e in app.expander]


def test_each_answer_can_be_copied_with_its_sources(app):
    app.chat_input[0].set_value("What did Touchstone learn?").run()
    [copied] = [c.value for c in app.code]
    assert copied.startswith("From the Touchstone and Live Well Leeds case study:") and "Collaboration works." in copied
    assert "\nSources:\n[1] Delivering mental health services" in copied
    assert "**" not in copied and "\\" not in copied  # plain text to paste, not Markdown


def test_a_copied_answer_keeps_the_note_shown_beside_it(app):
    app.chat_input[0].set_value("Is Rethink still the lead partner in Somerset?").run()
    [copied] = [c.value for c in app.code]
    assert "\n\nNote: The case studies were published in February 2021" in copied


def test_themes_map_lists_the_case_studies_for_a_theme_strongest_first_and_shows_the_passages(app):
    app.switch_page("app_pages/browse.py").run()
    app.selectbox(key="map_theme").set_value("Commissioning and tendering").run()
    choice = app.radio(key="map_case-Commissioning and tendering")  # a list: readable and tappable on a phone
    assert len(choice.options) == 8 and choice.options[0] == "POhWER and Advocacy Matters"
    choice.set_value("POhWER and Advocacy Matters").run()
    text = " ".join(m.value for m in app.markdown)
    assert "Commissioning and tendering × POhWER and Advocacy Matters" in text
    assert "Commissioners can be extremely risk averse" in text
    assert app.get("vega_lite_chart") and not app.exception


def test_an_unreachable_language_model_gives_a_note_and_the_offline_answer(real_answerer, real_settings, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(real_settings.index_dir))
    monkeypatch.setenv("ASSISTANT_LLM", "openai:local-model")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert any("openai:local-model" in c.value for c in app.caption)  # the active answer mode
    app.chat_input[0].set_value("What did Touchstone learn?").run()
    assert "Collaboration works." in _answers(app)[0]
    assert [i.value for i in app.info] == [
        "The language model is unavailable (the model server cannot be reached); "
        "this is the answer in the case studies' own words."]


def test_visitors_cannot_rebuild_the_index_operators_can(page, monkeypatch):
    assert "Rebuild index" not in [b.label for b in page.sidebar.button]
    monkeypatch.setenv("ASSISTANT_OPERATOR", "true")
    operator = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert "Rebuild index" in [b.label for b in operator.sidebar.button]


def test_a_rating_changed_from_down_to_up_is_stored_as_up(page, feedback_db):
    page.chat_input[0].set_value("What is generous leadership?").run()
    page.feedback[0].set_value(THUMBS_DOWN).run()
    page.feedback[0].set_value(THUMBS_UP).run()
    [rating] = FeedbackStore(feedback_db).ratings()
    assert rating.rating == THUMBS_UP
    assert [t.label for t in page.text_input] == ["What made it useful? (optional)"]  # not "what was wrong"


def test_one_tab_cannot_flood_the_server_with_questions(page):
    for n in range(QUESTIONS_PER_MINUTE + 1):
        page.chat_input[0].set_value(f"What is generous leadership? ({n})").run()
    assert len(_answers(page)) == QUESTIONS_PER_MINUTE
    assert any("a lot of questions" in w.value for w in page.warning)


def test_served_to_the_network_with_no_sign_in_every_page_says_so(page, monkeypatch):
    from streamlit import config

    def served_on(address: str) -> list[str]:
        config.set_option("server.address", address)
        return [w.value for w in page.run().warning if "sign in" in w.value]

    original = config.get_option("server.address")
    try:
        assert not served_on("127.0.0.1")
        assert any("nobody is asked to sign in" in w for w in served_on("0.0.0.0"))
        monkeypatch.setenv("ASSISTANT_SIGN_IN_PROXY", "true")
        assert not served_on("0.0.0.0")
    finally:
        config.set_option("server.address", original)


def test_a_filter_shows_as_a_chip_above_the_question_box_and_a_tap_removes_it(page):
    page.multiselect(key="case_filter").set_value(["London VAWG Consortium"]).run()
    page.multiselect(key="section_filter").set_value(["Learning"]).run()
    chips = [b.label for b in page.button if b.label.startswith("✕ ")]
    assert chips == ["✕ London VAWG Consortium", "✕ Learning"]
    page.button(key="unfilter-case_filter-London VAWG Consortium").click().run()
    assert page.multiselect(key="case_filter").value == []
    assert [b.label for b in page.button if b.label.startswith("✕ ")] == ["✕ Learning"]


def test_the_case_and_section_pickers_are_in_the_main_area_not_only_the_closed_sidebar_of_a_phone(page):
    assert not page.sidebar.multiselect  # a phone opens with the sidebar closed
    assert {m.key for m in page.multiselect} == {"case_filter", "section_filter"}
    browse = page.switch_page("app_pages/browse.py").run()
    assert not browse.sidebar.selectbox and browse.selectbox(key="browse_case").value


def test_filters_and_answer_length_survive_reading_another_page(page):
    page.multiselect(key="section_filter").set_value(["Learning"]).run()
    page.slider(key="answer_words").set_value(100).run()
    page.switch_page("app_pages/browse.py").run()
    page.switch_page("app_pages/chat.py").run()
    assert page.multiselect(key="section_filter").value == ["Learning"]
    assert page.slider(key="answer_words").value == 100


def _reloaded(address: dict) -> AppTest:
    """The same page opened again in a new browser session at `address`'s query string."""
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.query_params.update(address)
    return again.run()


def test_a_reload_finds_the_conversation_and_its_ratings_again(page, feedback_db):
    page.chat_input[0].set_value("What is generous leadership?").run()
    page.feedback[0].set_value(THUMBS_UP).run()
    page.text_input[0].input("Clear and cited").run()
    again = _reloaded({"conversation": page.query_params["conversation"]})
    assert _answers(again) == _answers(page)
    assert again.feedback[0].value == THUMBS_UP and again.text_input[0].value == "Clear and cited"
    assert len(FeedbackStore(feedback_db).ratings()) == 1  # shown again, not stored twice


def test_an_address_with_an_id_the_server_never_gave_starts_a_new_conversation(page):
    made_up = _reloaded({"conversation": "guessed-id"})
    assert _answers(made_up) == [] and made_up.query_params["conversation"] != "guessed-id"


def test_only_the_answers_own_citations_become_links():
    from assistant.text import markdown_text
    from assistant.ui import linked_citations

    quoted = markdown_text("They said [2] and [see here](https://example.org)")  # a stranger's text, escaped
    linked = linked_citations(f"{quoted} [1]", 4)
    assert linked.endswith("[\\[1\\]](#source-4-1)")
    assert linked.startswith(quoted)  # the escaped text is left as it was: no link made from it


def test_after_an_answer_it_suggests_what_the_cited_case_studies_also_cover(app):
    app.chat_input[0].set_value("What challenges did Touchstone face?").run()
    suggestions = [b.label for b in app.button if b.key and b.key.startswith("followup-")]
    starters = {"What did Touchstone and Live Well Leeds learn?": "Learning",
                "What helped Touchstone and Live Well Leeds work together?": "Enablers"}
    assert suggestions and set(suggestions) <= set(starters)  # not its challenges again
    cited = " ".join(e.label for e in app.expander)
    assert not any(starters[s] in cited for s in suggestions)  # nor a section the answer quotes already
    app.button(key=f"followup-{suggestions[0]}").click().run()
    assert len(_answers(app)) == 2 and any(starters[suggestions[0]] in e.label for e in app.expander)


def test_it_never_suggests_a_question_the_conversation_has_asked(app):
    """This answer draws on no Enablers passage of the alliance, whose Enablers it asked about."""
    question = "What helped Somerset Mental Health Alliance work together?"
    app.chat_input[0].set_value(question).run()
    suggestions = [b.label for b in app.button if b.key and b.key.startswith("followup-")]
    assert question not in suggestions


def test_a_mistyped_setting_is_named_on_the_page(page, monkeypatch):
    monkeypatch.setenv("ASSISTANT_TOP_K", "0")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not app.exception
    assert [e.value for e in app.error] == ["The app's settings need fixing: ASSISTANT_TOP_K=0 is out of range: use 1 to 50"]


def test_settings_are_read_once_per_environment_not_on_every_rerun(monkeypatch):
    """Every page of every session shares one Settings while the environment stays the same."""
    from assistant import ui

    monkeypatch.setenv("ASSISTANT_TOP_K", "5")
    first = ui.settings()
    assert ui.settings() is first and first.top_k == 5
    monkeypatch.setenv("ASSISTANT_TOP_K", "6")
    assert ui.settings().top_k == 6
    monkeypatch.setenv("ASSISTANT_TOP_K", "0")
    with pytest.raises(ValueError, match="ASSISTANT_TOP_K=0 is out of range"):
        ui.settings()
