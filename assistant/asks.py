"""What a question asks for, read from its form: the section it means (lessons, challenges,
enablers, the overview), the kind of fact its answer must carry (a sum of money, a date, a length
of time, a number, a size, a place, a person's name, contact details, whether something still holds, whether a
bid was won or a contract renewed, and for "how many", what is counted), and whether it asks who,
which case studies, or for what someone said.

The fact kinds are the classic answer types of question answering. A question asking "how much
did the funder give?" is answered only by a sentence with a sum in it; when none of the sentences
nearest the question has one, the case studies talk about the topic without giving the fact, and
the answer says so instead of quoting the topic back.

    >>> fact_kinds("How much did City Bridge Trust give them?")
    ['money']
    >>> carries_fact("It received three years funding from City Bridge Trust.", ["money"])
    False
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from .text import STOPWORDS, YEAR, is_general_word, is_standard_word, place_countries, terms

QUESTIONS_KEPT = 256  # questions whose fact kinds are kept: a question is read several times in one answer

_SECTIONS = {
    # "key takeaways", "what would you copy from this one?", "what should we take from this?"
    "Learning": re.compile(r"\b((key|main|top|biggest|major|core)\s+)?(learn\w*|lessons?|take-?aways?|advice|tips?"
                           r"|recommend\w*|(do|done) (it )?differently|take (away )?from (this|that|it|them)"
                           r"|(copy|replicate)( from)? (this|that|it|them)|transferable)\b", re.IGNORECASE),
    "Challenges": re.compile(r"\b(challeng\w*|difficult\w*|problems?|barriers?|obstacles?|went wrong|hard (bit|part)s?"
                             r"|struggl\w*|tricky)\b", re.IGNORECASE),
    "Enablers": re.compile(r"\b(enabl\w*|success factors?|made it work|helped (\S+\s+){0,6}?work|what worked|went well"
                           r"|got them through|key to)\b", re.IGNORECASE),
    "overview": re.compile(r"\b(summar\w*|overview|in a nutshell|tl;?dr|what(\s+is|\s+was|['’]s)\s+(this|the|it) about)\b",
                           re.IGNORECASE),
}

# who an answer is for, which asks nothing of a case study: "for our board", "what should our CEO take from this?"
_ASKERS_SIDE = re.compile(r"\b(for\s+)?(our|my)\s+(board|trustees|team|staff|ceo|chief exec\w*|chair|colleagues|managers?"
                          r"|org|organisation|charity)\b", re.IGNORECASE)
# words that rank a section's points rather than name their subject: "big lessons", not "money lessons"
_RANKING = frozenset("big bigger biggest main key top major core real important general overall hard early good bad best "
                     "worst few other more most first last final three two".split())
# what a question is about: "lessons about money", "tips for getting funding", "problems with our staff"
_TOPIC = re.compile(r"\b(about|on|regarding|around|with|for(?=\s+[^\W\d_]+ing\b))\s+(?P<topic>[^?.!,;:]+)", re.IGNORECASE)
# a summary asked for in words that, in a question asking more ("the gist of how they handled the money"), ask no section
_BARE_SUMMARY = re.compile(r"\b(gist|run-?down|recap|synopsis|low-?down|short version)\b", re.IGNORECASE)
# "summarise that", "in a nutshell, those?": what the last answer said (not "summarise it": the case study)
_POINTS_BACK = re.compile(r"\b(that|this|these|those)\b", re.IGNORECASE)
# words of a summary request that name nothing in it: the case study itself, and asking ("give me a quick overview")
_CASE_WORDS = frozenset(terms("case study one partnership example story give tell quick brief short please"))
_THE_CASE_ITSELF = re.compile(r"\b(this|that|the)\s+(case study|case|one|partnership|example|story)\b", re.IGNORECASE)

_AMOUNT = (r"(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
           r"|several|a few|a couple of)")
_MODAL = r"(did|does|do|was|is|were|are|will|would|should|could|can|has|have)"
_ROLE = (r"(chair(man|woman|person)?|ceo|chief exec\w*|director|founder|mayor|head|president|minister|mp|patron|manager"
         r"|co-?ordinator|officer|trustee)\b")
_PERSON = r"[A-Z][a-z]+ [A-Z][a-z'’-]+"  # a first name and a surname
_CLAUSE_HEAD = r"(?:^\W*|[,;:.!?]\s*|\b(?:and|but|so|or)\s+)"  # where a question or a clause of it begins
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand" \
                "|million|half|third|quarter"
_AWARDED = r"(bids?|contracts?|tenders?)"  # what is won
# asking to have a set of named things listed, counted (three or more): "what are the other 11 Trailblazer areas?",
# "list all 28 members", "who were the five women's orgs?"; not "the list of the 12 areas", "the name of", nor "what were
# the 16 partners' contracts increased to?"
_ENUMERATION = re.compile(
    r"(\b(?<!the )(?<!a )(list|name)\b(?!\s+of\b).{0,40}?\b|\b(what|which|who)(['’]s|\s+(are|were|is|was))\s+)"
    r"(the|all|those|these)\s+(other\s+)?((?!(0|1|2)\b)\d+|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen"
    r"|twenty|thirty|forty|fifty|dozen)(\s+or so)?\s+([\w'’-]+\s+){0,2}?(?P<named>areas|members|organi[sz]ations|orgs"
    r"|partners|charities|groups|providers|councils|boroughs|regions|places|towns|cities|funders|agencies)\b(?!['’])",
    re.IGNORECASE)
# "list the partners", "name the member orgs", "who were its partners?": the names of a case study's members asked for
_MEMBERS = r"(partners|members|organi[sz]ations|orgs|charities|groups|providers|funders)"
_MEMBERS_ASKED = re.compile(
    rf"\b(list|name)(\s+(me|us|all|some|a few))?(\s+of)?\s+((the|its|their|all the)\s+)?([\w'’-]+\s+){{0,2}}?{_MEMBERS}\b"
    rf"|\bwho\s+(are|were)\s+(the|its|their|all the)\s+([\w'’-]+\s+){{0,2}}?{_MEMBERS}\b", re.IGNORECASE)
_LISTED_NAME = r"(the\s+)?[A-Z][\w'’&-]*(\s+(of|for|and|in|the|[A-Z(][\w'’&()-]*)){0,5}"  # "Mind in Somerset"
_HELPING = r"(help|helped|helping|need|needed|try|tried|able|manage|managed)"  # "did Shelter help SIFA win it?"
# the words a sentence tells what came of a bid or a contract by, which the question's own need not share
OUTCOME_TERMS = frozenset(terms("win won wins winning successful successfully unsuccessful lost awarded renew renewed "
                                "renewal extended extension recommissioned retendered"))
# the words asking a size ("how large were the grants?"), which the sentence giving it need not use
SIZE_TERMS = frozenset(terms("big bigger large larger size"))
# kind: (how a question asks for it, how a sentence carries it). "What sum ...", a role a few words after
# "name of the" and a manager's, coordinator's, officer's or trustee's name: tune halves out of fold,
# declined 83 -> 85 of 92, false refusals the same (4 of 333)
_FACT_KINDS = {
    "money": (
        # "how much underspend did they reinvest?", "what's that role paid?", "when does the money run out?" (date, below): out
        # of fold, our sets and the tune halves declined 781 -> 785 of 854, nothing else moved
        re.compile(rf"\bhow much (((more|extra|additional) )?(money|funding)|{_MODAL})\b(?! of\b)"
                   # a noun of money the sum is of, not one describing another ("how much cash flow pressure ...?")
                   rf"|\bhow much (cash|underspend|surplus|profit|income)\b(?=\s*([?.!,;]|$)|\s+({_MODAL}|went|goes|came"
                   r"|comes|to|in|into|from|for|on|back|left)\b)"
                   # "what's that role paid?", "what are staff paid?"; not "what's the benefit of being paid?"
                   r"|\bwhat(['’]?s| is| are| was| were)\s+((?!(being|be|get|gets|got|getting|it|like|to)\b)[\w'’-]+\s+){1,3}?"
                   r"paid\s*[?.!]*\s*$"
                   r"|\b(what|which) (sum|amount)\b(?! of time)"
                   # "what level of budget reduction?": a cut is told as a share as often as a sum ("63% budget reductions")
                   r"|\b(what|which)(['’]?s| is| was| are| were)?\s[^?]{0,40}?\b(income|turnover"
                   r"|budget(?!\s+(cuts?|reductions?)\b)|salary|salaries|fees?|price|reserves(?=\s*([?,.]|$|in\b|of\b)))\b"
                   rf"|\bwhat {_MODAL}\b.{{0,40}}\bcost\b"
                   # "what's the contract worth?", "its total value", "the value of the 2019 contract" (out of fold: our
                   # sets and the tune halves declined +2 of 624, nothing else moved), not "what is the value of a chair?"
                   # nor "of a joint bid?" (what it is worth to the partners)
                   r"|\bworth( in total| in pounds| per year| a year| annually)?\s*[?.!]*\s*$"
                   r"|\b(total|annual|yearly|cash|financial|contract) value\b"
                   r"|\bvalue of (the|their|its|this|that) ((?!(to|for|of)\b)[\w-]+ ){0,5}?"
                   r"(sub)?(contract|grant|tender|award|bid)\b",
                   re.IGNORECASE),
        re.compile(r"[£$€]\s?\d|\d\s?(m|k|bn)\b|\b(million|billion|thousand pounds)\b", re.IGNORECASE),
    ),
    "date": (
        # "when did it start?", not "when a partner struggles, what ...?" nor "when does a partnership work?"
        re.compile(r"\b(what|which|in what) (year|month)\b|\bsince when\b|\bwhen( exactly)?(['’]s| (was|were|did))\b"
                   r"|\bwhat date\b"
                   # "when does the contract end?", "when will the money run out?": a particular thing's beginning or end,
                   # the verb closing its clause; not "when does the relationship start to work?", "when do problems
                   # start?" nor "when is it best to start talking?"
                   r"|\bwhen (does|do|will|is|are)\s+(the|their|its|this|that|[\w-]+['’]s)\s+([\w'’-]+\s+){0,4}?(due to\s+)?"
                   r"(end|expire|finish|run out|start|begin|close|launch|come up for renewal)\b"
                   r"(?=\s*([?.!,;]|$)|\s+(or|and|for|in)\b)",  # "when does the money run out for them?"
                   re.IGNORECASE),
        # a year, a month ("May", not "may have"), a season, "ago"
        re.compile(rf"{YEAR.pattern}|\b(January|February|March|April|May|June|July|August|September|October|November"
                   r"|December)\b|\b(?i:spring|summer|autumn|winter|ago)\b"),
    ),
    "duration": (
        # "over how many years has POhWER been partnering?": a count of years is a length of time ("3-4 years")
        re.compile(r"\bhow long\b|\bhow many (years|months|weeks)\b", re.IGNORECASE),
        re.compile(_AMOUNT + r"[\s-]+(years?|months?|weeks?|days?)\b|\b(years|months|decades?)\b", re.IGNORECASE),
    ),
    "number": (
        # "the latest figures on domestic abuse in London": statistics, a count of what they are on (all 5 labelled
        # questions asking so are out of scope; out of fold, with "prevalence of", declined +3 of 738, nothing else moved)
        re.compile(r"\bhow (many|often)\b|\b(what|which) number\b|\bout of how many\b|\bpopulation\b"
                   r"|\b(figures|stats|statistics)\s+(on|for|about)\b", re.IGNORECASE),
        re.compile(rf"\d|\b({_NUMBER_WORDS}|majority|most|all)\b", re.IGNORECASE),
    ),
    # "how big were the grants?", "how large is the contract?": a size, said in a number or a sum ("the £7.4m
    # contract", "63% budget reductions") of what the question asks the size of (refuse.SAID_OF_A_SUBJECT); with a
    # population counted, out of fold figures.jsonl declined 29 -> 32 of 40, nothing else moved
    "size": (
        # not "how big a role did trust play?" (a degree); "what's the size of the budget reduction?" ("63%")
        re.compile(r"\bhow (big|large)\b(?!\s+an?\b)|\b(what|which)(['’]?s| is| was| are| were)\s+the\s+size\s+of\b",
                   re.IGNORECASE),
        re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE),  # not "all sizes of organisation"
    ),
    "proportion": (
        # "what share of the contract ...?", "what % ...?": a count is no answer, a share is (facts.jsonl out of fold: declined
        # 29 -> 30 of 40; tune halves and users_words sets out of fold unchanged, no answerable question refused)
        # "what's the success rate of consortium bids?", "current rates of exploitation": a rate is a share (of what
        # it is asked of: rated_terms); out of fold our sets and the tune halves declined +2 of 624, nothing else moved
        re.compile(r"\bhow much of (?!an?\b)|\b(what|which) (percentage|proportion|share|fraction)\b|%|\bper ?cent\b"
                   r"|\b(what|which)(['’]?s| is| was| are| were)?\s+(the\s+)?"
                   r"((?!(did|does|do|would|will|should|could|can)\b)[\w-]+\s+){0,3}?"
                   r"rates?\b(?!\s+(of\s+)?pay)"  # not the verb: "what did partners rate highly?"
                   r"|\bprevalence of\b",  # "the prevalence of mental illness in Somerset": a share of the people
                   re.IGNORECASE),
        re.compile(r"\d\s?%|\bper ?cent\b|\b(half|halves|thirds?|quarters?|fifths?|tenths?|majority|minority)\b"
                   r"|\b\d+ (in|out of) (every )?\d+\b", re.IGNORECASE),
    ),
    "place": (
        # "which regions does it cover?", "where are they based?"; not "where did it go wrong?". A word may describe
        # places ("which london boroughs ...?"), but only a word of space describes areas ("which other areas ...?",
        # not "which key areas ...?"); with a place the question names not answering it (refuse.py), out of fold our
        # sets declined +3 of 698, nothing else moved
        re.compile(r"\b(which|what) ((?!(did|does|do|was|is|were|are|of|can|will|should|has|about)\b)[\w'’-]+ )?"
                   r"(regions?|cit(y|ies)|towns?|count(y|ies)|boroughs?)"
                   r"|\b(which|what) ((other|local|nearby|neighbouring|rural|urban|inner|outer|geographic(al)?|north(ern)?"
                   r"|south(ern)?|east(ern)?|west(ern)?) )?(areas?|parts? of\b|places?|locations?)"
                   r"|\bwhere\b[^?]{0,40}\b(based|located|operate|operating|cover|covers|work in|work\W*$)"
                   # "where's their head office?": where a building is; not "where's the bit about building trust?"
                   r"|\bwhere(['’]?s| is| are| was| were)\s+((the|their|its|our|your)\s+)?([\w'’-]+\s+){0,2}?(offices?"
                   r"|headquarters|hq|premises|buildings?|houses?|venues?|sites?)\s*([?.!]|$|(now\s*)?(located|based)\b)",
                   re.IGNORECASE),
        # in north Warwickshire, in the North East, In Bristol
        re.compile(r"\b(?i:in|across|throughout|around|within)\s+(the\s+)?(?P<place>([a-z]+\s+)?[A-Z][a-z]+(\s+[A-Z][a-z]+)*)"),
    ),
    "person": (
        # "who chairs it?", "who's the chief exec of X?": a person in a role, not an organisation; "X's" may stand
        # for "the" ("the name of Touchstone's manager": users_words sets out of fold, declined 184 -> 185 of 207);
        # "whos the delivery network manager?" (fresh7's tune half: declined 12 -> 13 of 15; nothing else moved)
        re.compile(rf"\bwho(['’]?s| {_MODAL})?\s+(the\s+|their\s+|its\s+|[\w-]+['’]s\s+)?(current\s+|new\s+)?{_ROLE}"
                   rf"|\bwho(['’]?s| is| was)\s+(the|their|its|[\w-]+['’]s)\s+([\w-]+\s+){{1,3}}?{_ROLE}"
                   rf"|\bwho (chairs|heads|founded)\b"
                   # "who got the delivery network manager job?": a role's job is a person's (not "the lead partner job",
                   # "the chair job", which Spark held, nor "Touchstone or a partner?"; out of fold, declined +1 of 884,
                   # fresh17's tune half; nothing else moved)
                   rf"|\bwho (got|gets|was given|filled|fills|landed)\s+(the|that|this|their|its)\s+"
                   rf"([\w'’-]+\s+){{0,3}}?(?!chair)(?!.*\bor\b){_ROLE}\s+(job|post)\b"
                   rf"|\bname of (the|their|its|[\w-]+['’]s) ([\w-]+\s+){{0,3}}({_ROLE}|person|people|woman|man)"
                   rf"|\b{_ROLE}['’]s (full )?name\b",  # "the ceo's name"
                   re.IGNORECASE),
        re.compile(rf"\b(Mr|Mrs|Ms|Miss|Dr|Cllr|Sir|Dame|Lord|Lady|Baroness)\.? [A-Z]|(?i:{_ROLE}),? {_PERSON}"
                   rf"|{_PERSON}, (the |its |their )?(?i:{_ROLE})(?=\s+(of|at|for)\b|[,.;)])"),
    ),
    # "what's their phone number?", "the address of the house?", "Oasis's email?": contact details, which case studies
    # written as reports never give (no labelled answerable question of ~3,500 asks for one). Out of fold, our sets
    # and the tune halves declined 622 -> 628 of 698, nothing else moved
    "contact": (
        re.compile(r"\b(e-?mail|phone|telephone|mobile|fax)\s+(address(es)?|numbers?|no)\b|\bhelplines?\b"
                   r"|\bpost ?codes?\b(?!\s+lottery)"
                   r"|\b(registered\s+)?charity\s+(number|no)\b|\bcontact details\b|\bweb ?address\b"
                   # whose: "Oasis's email?", "their website"; not "on the phone", "draft an email"
                   r"|(['’]s|\btheir|\bits|\bhis|\bher)\s+(e-?mail|phone|telephone|website)\b(?!\s+(to|about|for us))"
                   # the noun, not the verb: "the house address?", "the address of the house", not "the lead address tensions"
                   r"|\b(the|their|its|his|her|postal|street|home|office|full)\s+([\w'’-]+\s+)?address(es)?"
                   r"(?=\s*([?.!,;]|$|(of|for|and|please)\b))",
                   re.IGNORECASE),
        re.compile(r"\b0\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b|\+44|[\w.-]+@[\w-]+\.\w+|\bwww\.|https?://"
                   r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|\bcharity (number|no\.?) \d", re.IGNORECASE),
    ),
    # "is the alliance still going?", "is SIFA still independent?": whether something still holds, which a case study can
    # tell only by saying so ("is still working through"); asked of someone, not "do we still need check-ins?"
    "present": (
        re.compile(rf"{_CLAUSE_HEAD}(is|are|does|do|has|have)\s+(?!(we|i|you)\b)[^?.]{{0,40}}\bstill\b", re.IGNORECASE),
        re.compile(r"\b(still|currently|now|continues? to|ongoing|to date|so far)\b", re.IGNORECASE),
    ),
    # "did SIFA actually win that bid?", "was the contract renewed when it ran out?": what came of a bid or a
    # contract, which a case study written at one moment often cannot tell; asked at the head of a question or
    # clause, not "how did they win round the local groups?". Out of fold: tune halves and our sets declined +3 of
    # 698 (two tune questions, one of short_turns), nothing else moved
    "won": (
        # of a bid, a contract or a tender ("it", "that"), by whoever the question asks of: not "was it successful?",
        # "did they win the groups over?" nor "did Shelter help SIFA win the contract?"
        re.compile(rf"{_CLAUSE_HEAD}(did|has|have|was|were)\s+((?!{_HELPING}\b)\S+\s+){{0,6}}?(win|won)\b"
                   rf"(\s*[?.!]*\s*$|\s+(it|that|this|in the end|or not)\b|(\s+\S+){{0,5}}?\s+{_AWARDED}\b)"
                   rf"|{_CLAUSE_HEAD}(was|were)\s+(the|their|its|that)\s+(\S+\s+){{0,4}}?{_AWARDED}\s+won\b", re.IGNORECASE),
        re.compile(r"\b(won|win|wins|winning|successful|successfully|unsuccessful|lost|awarded)\b", re.IGNORECASE),
    ),
    "renewed": (
        # "was the contract renewed?", "is it up for renewal?"; not "was the model extended to other areas?"
        re.compile(rf"{_CLAUSE_HEAD}(did|has|have|was|were|is|will)\s+([\w'’-]+\s+){{0,6}}?"
                   r"(renew(ed|al)?|re-?commissioned|re-?tendered)\b", re.IGNORECASE),
        re.compile(r"\b(renew\w*|extended|extension|re-?commission\w*|re-?tender\w*)\b", re.IGNORECASE),
    ),
    # "how do i refer my mum to advocacy matters?", "can i apply to the fund?", "what are the opening hours?": how to
    # use a service or a fund, which reports of partnerships never tell (all 29 labelled questions asking so are out
    # of scope); asked by someone for themselves ("we" are more often a charity asking how to do as a case study did:
    # "how can we apply for a contract as a partnership?"), not "how can i apply this to my org?", "how do i book in
    # meetings like Shelter and SIFA?" nor "how could i apply for a contract where a third is subcontracted?"
    "access": (
        re.compile(r"^(?!.*\blike\s)(?=.*\b((how|where|when|can|could)\s+((do|can|could|should|would|does|did)\s+)?i\s+"
                   r"(self-refer|refer(?!\s+to\b)|apply (to(?!\s+(my|our|your|this|that|these|those|it|them)\b)"
                   r"|for(?!\s+(a|the)\s+(contract|tender|bid)\b)|online)|sign up (for|to)|register (a|as|our|my|with)"
                   r"|volunteer (with|at|for)"
                   r"|donate (to|money)|book (an?|the) (appointment|place|session|slot|visit)|enrol|get (a place"
                   r"|an appointment|referred|a referral))"
                   r"|(i|you|way to|how to)\s+(self-?)?refer\s+(myself|my \w+|her|him|a woman|a man|someone|a client"
                   r"|a young person)"
                   r"|opening (hours|times)|(volunteering|volunteer) (roles|opportunities|positions|vacancies))\b)",
                   re.IGNORECASE),
        # how, not that: "apply online", not "a bid application"
        re.compile(r"\b((self-)?refer(ral|rals|red)?|opening (hours|times)|open (from|between|on) \w+|(apply|sign up"
                   r"|register|donate) (online|by|at|via|through)|volunteer(ing)? (roles?|opportunities))\b",
                   re.IGNORECASE),
    ),
    # "what happened to the alliance after its Trailblazer funding ended?", "who took over after Touchstone's contract
    # ended?", "did STAGE get funded once the money ran out?", "did they keep the contract when it was re-tendered?":
    # the fate of something after the case study's funding or contract had ended, which one written at the time can
    # tell only by saying so (all 10 labelled questions asking so are out of scope); not what was done when something
    # ended ("what did POhWER do when partnerships ended?", "what happened after the vote was over?", "how did they
    # keep the contract?") nor what became of partners or members ("when the council grants ended"): the case studies
    # tell these
    "after": (
        re.compile(r"(?s)^(?!\W*how\b)(?=.*\b(what happened to|who (took|takes|has taken) over|who won|(get|got|gets"
                   r"|getting) (funded|funding|refunded|renewed|recommissioned|re-?commissioned)|(keep|kept|retain(ed)?"
                   r"|lose|lost) (the|its|their|that) ([\w-]+ ){0,2}(contract|bid|tender))\b)"
                   r"(?!.*\b(partners?|members?|orgs?|organisations?|groups?)\b.*\b(after|once|when|next time)\b)"
                   r".*\b(after|once|when|(the )?next time)\s+((it|they)|(the|its|their|that|this|[\w-]+['’]s)\b"
                   r"[^?.!]{0,40}?\b(funding|money|grants?|fund|contract|trailblazer|programme|pilot|period|project))\s+"
                   r"((was|were|had|has|got)\s+)?(ended|finished|ran out|run out|expired|stopped|over|came to an end"
                   r"|wound up|dried up|re-?tendered)\b",
                   re.IGNORECASE),
        re.compile(r"\b(afterwards|subsequently|since then|went on to|(has|have) since|took over|taken over"
                   r"|(was|were) (then )?(extended|renewed|re-?commissioned))\b", re.IGNORECASE),
    ),
    # named things to enumerate, their count given, which a list of names answers, not the count (`lists`): three
    # items of a list, or three names in a run ("Rethink Mental Illness, Second Step, Mind in Somerset", "London
    # Councils, the Mayor's Office ... and City Bridge Trust", "Shelter, SIFA and Mind")
    "list": (
        _ENUMERATION,
        re.compile(rf"((^|\n)\s*[•*-]\s*\S[^\n]*){{3}}|{_LISTED_NAME}(,\s+{_LISTED_NAME}){{2,}}"
                   rf"|{_LISTED_NAME}(,\s+{_LISTED_NAME})+,?\s+(and|&)\s+{_LISTED_NAME}"),
    ),
}

# a size asked of money is a sum: "how big was the grant?", "what size of grant did they get?"; the noun of money heads
# its phrase (not "how big were the funding cuts?" nor "the cut in funding", which a share answers). Out of fold on the
# tune halves and our sets: declined +1 of 884 (fresh18's tune half), nothing else moved; of the 4,120 labelled questions
# and scope examples before this session, 6 changed kind, 4 of them answerable ("how big was the contract?": its £7.4m
# answers it still)
_SIZE_OF_MONEY = re.compile(
    rf"\b(how (big|large)|what size)\b(?!\s+an?\b)(\s+(of|is|was|are|were|the|their|its|this|that|[\w-]+['’]s))*"
    rf"(\s+(?!(of|is|was|are|were|an?|in|to|on|{_MODAL})\b)[\w'’-]+){{0,4}}?\s+(grants?|contracts?|awards?|donations?|funding)"
    r"(?=\s*([?.!,;)]|$)|\s+(?!in terms\b)(of|for|to|from|that|which|the|a|an|their|its|our|we|you|i|they|it|in|on|at|by"
    rf"|with|per|each|{_MODAL}|had|would|money-wise|(?-i:[A-Z])[\w'’-]*)\b)", re.IGNORECASE)

_MONEY_VERB = r"(give|gave|given|pay|paid|spend|spent|cost|get|got|receive|received|raise|raised|charge|charged|earn|earned)"
# "how much did the role matter?", "how much has it changed?": a degree, not a sum; the verb ends its clause, and
# no verb of money comes before it ("how much did the funder give to help them?" asks a sum). Out of fold, false
# refusals 20 -> 18 of 1,578 (both "how much did ... matter"); nothing else moved. "Matter", which takes no object, may
# end its clause a few words on, none a verb of money ("how much did shared values matter here?", not "how much did the
# legal matter cost?"; session 28: no other labelled question's kind moved); not the others ("how much did the budget
# change after the merger?" asks a sum)
_DEGREE = re.compile(rf"\bhow much {_MODAL} ((?!{_MONEY_VERB}\b)[\w'’-]+ ){{1,6}}?(?<!\bthe )(?<!\ba )"
                     rf"(matter(s|ed)?\b(?=(\s+(?!{_MONEY_VERB}\b)[\w'’-]+){{0,3}}\s*([?,.!;]|$))"
                     r"|(matter|help|change|improve|affect|influence|count)(s|d|ed|es)?\b"
                     r"(?=\s*([?,.!;]|$|(in|to|for|so|overall|at all|with)\b)))",
                     re.IGNORECASE)

# what a sum is of, each with its kin: a question naming one is answered only by a sum said of it ("CYN's annual
# income" is not "the £7.4m contract"). With the count's own noun (below), out of fold: tune halves declined 88 -> 90
# of 92; users_words sets 187 -> 188 of 207, false refusals 12 -> 9 of 823 (the kin: "partners" counted by
# "organisations"); facts.jsonl declined 31 -> 32 of 40; key facts unchanged everywhere
_PRICED_TERMS = tuple(frozenset(terms(" ".join(kin))) for kin in (
    ("income", "turnover", "revenue"), ("budget", "budgets"), ("salary", "salaries", "wage", "wages"),
    ("fee", "fees", "price", "prices", "cost", "costs", "charge", "charges"), ("reserves",)))

# what a rate is of: the word before it ("homelessness rate"), the one after "rate of" ("rates of homelessness") and
# after "prevalence of"
_RATE_OF = re.compile(r"\b([^\W\d_][\w-]*)\s+rates?\b(?:\s+of\s+([^\W\d_][\w-]*))?|\bprevalence of\s+([^\W\d_][\w-]*)",
                      re.IGNORECASE)

# the kinds whose absence from the sentences nearest a question means the case studies don't give it; a place too,
# though places are often named in passing (out of fold none of 26 answerable questions asking where was refused)
PROVABLY_MISSING = ("money", "date", "duration", "number", "size", "proportion", "person", "place", "contact", "present", "won",
                    "renewed", "after", "access", "list")

# the words read for what a count counts, to the first stopword: "how many specialist women's sector providers",
# "five specialist women's sector providers" (in a sentence the last of them is what it counts)
_COUNTED_WORDS = 4
# "how many staff does it employ?", "the latest figures on domestic abuse": what the number must count (a "how many"
# before statistics: "any stats on how many partners underperformed?")
_COUNTED_PHRASE = rf"\s+([^\W\d_][\w'’-]*(?:\s+[^\W\d_][\w'’-]*){{0,{_COUNTED_WORDS - 1}}})"
_COUNTED = re.compile(rf"\bhow many{_COUNTED_PHRASE}", re.IGNORECASE)
# not "stats for Touchstone": what they are for is often who they are of
_STATISTICS_ON = re.compile(rf"\b(?:figures|stats|statistics)\s+(?:on|about){_COUNTED_PHRASE}", re.IGNORECASE)
# "what's the population of Leeds?", "how many people live in north warwickshire?" count a population; not "what
# population does CYN serve?" (young people), "how many people live in the house?" (no place) nor "how many people living
# in London does the consortium support?" (the place does not end the question)
_POPULATION_OF = re.compile(r"\bpopulation of\b", re.IGNORECASE)
_LIVING_IN = re.compile(r"\bhow many (people|ppl|residents|persons|folk)\s+(live|living|are there)\s+in\s+(the\s+)?"
                        r"(?P<place>[^\W\d_]+(\s+[^\W\d_]+)?)\s*([?.!,;]|$)", re.IGNORECASE)
# a count in a sentence and the words after it: "16 smaller organisations", "around 3." (not a year)
_COUNT = re.compile(r"(?<![\w.,£$€-])(?!(?:19|20)\d\d\b)(\d[\d,]*(?:\s*[-–]\s*\d+)?|one|two|three|four|five|six|seven|eight"
                    r"|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand)\b(?=([^.,;:!?()]*))",
                    re.IGNORECASE)


# a number of some of them left unsaid, and the words after it: "some partners underperformed"; not the whole
# ("a range of organisations", "a number of youth clubs"), which a count elsewhere may give
_VAGUE_COUNT = re.compile(r"\b(some|several|many|a few|a handful of)\s+(?=([^.,;:!?()]*))", re.IGNORECASE)


# "which council ...?", "which Leeds partner nearly pulled out?": one organisation's (or contract's) name is
# asked for; the nouns that may stand for it in the text, each with its kin
_KINDRED_NOUNS = (("local authority", "council", "authority", "commissioner"),
                  ("organisation", "org", "charity", "partner", "provider", "group"), ("contract", "tender"))
_KINDRED_TERMS = tuple(frozenset(terms(" ".join(kin))) for kin in _KINDRED_NOUNS)
_MEMBER, _ORGANISATION = frozenset(terms("member members")), frozenset(terms("organisation"))
LEAD_IN_WORDS = 6  # words before a list that say what it lists: "Partner organisations include", "funded by the"
MIN_SHARED_STEM = 4  # a stem this long that begins another speaks of the same thing: "fund" (funded) and "funder"
# the words that stand for an organisation or a partnership a sentence would name instead ("the lead org" is
# "Touchstone", "the network" is "Live Well Leeds"); not "partner", which also tells what was done ("how long has
# POhWER been partnering?")
STANDING_FOR_A_NAME = frozenset(terms("lead organisation organisations org orgs charity charities provider providers "
                                      "network alliance consortium partnership"))
_KINDRED = "|".join(noun for kin in _KINDRED_NOUNS for noun in kin)
# "which" opens the question or a clause of it ("In the POhWER case, which council ..."), not "who decides
# which org leads?"; the words between it and the noun describe the noun ("which Leeds partner"): a verb
# or an article there means the noun is not what is asked for ("what did the big charity change?")
_ONE_NAMED = re.compile(rf"(^\W*|[,;:–—-]\s*|\b(and|but|so|then|also|me)\s+)(which|what)\s+(?!(kind|type|sort)s? of\b)"
                        rf"((?!({_MODAL}|the|a|an)\b)[\w'’-]+\s+){{0,3}}?(?P<noun>{_KINDRED})\b(?!s\b)",
                        re.IGNORECASE)
# "which of the Leeds partners underperformed?": one (or some) of a set picked out by what they did, which the text
# may leave unnamed ("some partners underperformed"); out of fold, tune halves declined 119 -> 120 of 122, nothing else moved
_ONE_OF = re.compile(rf"\b(which|what)\s+(one\s+)?of\s+(the|its|their|these|those)\s+"
                     rf"((?!({_MODAL}|the|a|an)\b)[\w'’-]+\s+){{0,3}}?(?P<noun>{_KINDRED})s?\b", re.IGNORECASE)
# "a local authority had merged ...", not "SIFA is a large local organisation" (which describes a named one);
# "this contract" refers back to one the passage may never name (out of fold, our out-of-scope questions declined
# 543 -> 545 of the 609 of our sets and the tune halves; nothing else moved over 1,913 answerable questions)
_INDEFINITE = (r"(?<!\bis )(?<!\bwas )(?<!\bare )(?<!\bwere )(?<!\bas )\b(a|an|one|another|some|other|this|these)\s+"
               r"((?!(is|was|are|were)\b)[\w-]+\s+){0,3}?")

# "what does LWPM stand for?": the letters asked about, spelt out by the initials of a run of words
# ("Lead Worker Peer Mentor (LWPM)", "VAWG (violence against women and girls)")
_EXPANSION = re.compile(r"\b(stands?|short)( for\b|$)|\b(acronym|abbreviation)s?\b", re.IGNORECASE)
ACRONYM_LETTERS = 6
_JOINING_WORDS = frozenset({"and", "of", "for", "the", "in", "on", "&"})
_INITIAL_JOINING_WORDS = frozenset({"and", "of", "&"})  # "Expression Of Interest", "Policing And Crime"


# "who" asking, at the head of a question or clause ("who funds it?", "..., and who paid?"), not "who" of a clause
# inside one ("how did they sort out who does what?", "partners who were wary")
_WHO = re.compile(r"(?:^|[,;:.?!(\-–—]\s*|\b(?:and|but|so|then|or)\s+)who(['’]s|['’]d)?\b"
                  r"|\b(which|what) (organisations?|orgs?|charities|partners|funders?|councils?|groups)\b", re.IGNORECASE)
_WHICH_CASES = re.compile(r"\b(which|what|any|other)\s+(of the\s+|of these\s+)?(case studies|cases|partnerships|examples?)\b",
                          re.IGNORECASE)


# "anything else?" after an answer reads on from where it stopped (a new reader's tune question; nothing else moved)
_WHAT_NEXT = re.compile(r"\b(then what|what happened (next|then|after\w*)|what (came|comes) (next|of it|after)|led to|lead to"
                        r"|in the end|after that|afterwards|what next|anything else|what else)\b|^\W*(and|so)?\s*then\W*$",
                        re.IGNORECASE)
# "what would they do differently?" and the sentence saying what would have been better (tune halves out of fold:
# key facts 443 -> 445 of 480, the two asking it; nothing else moved on any set)
_HINDSIGHT = re.compile(r"\b(do|done|did|doing) (it |things |anything )?differently\b|\bhindsight\b|\blooking back\b"
                        r"|\bnext time\b|\bdo it (all )?again\b", re.IGNORECASE)
_HINDSIGHT_SAID = re.compile(r"\b(would|could|should|might) have (been|made|done|had|helped|liked|preferred|benefit\w*)\b"
                             r"|\bin hindsight\b|\blooking back\b|\bwith the benefit of\b", re.IGNORECASE)
# "what did the small ones get out of it?" and the sentence saying who benefitted (tune halves out of fold: key facts
# 447 -> 450 of 480, short questions under a filter; nothing lost on any set)
_GAIN = re.compile(r"\b(get|got|getting|gets) out of\b|\bbenefit\w*|\bgain\w*|\bupsides?\b|\bin it for\b|\bwhat was the outcome",
                   re.IGNORECASE)
_GAIN_SAID = re.compile(r"\bbenefit\w*|\bgain(ed|s)?\b|\bimprov(ed|es|ing)\b|\bstrengthen\w*|\b(now|been|are|is) able to\b"
                        r"|\bvalued\b", re.IGNORECASE)
# a beginning asked the date of, however it is said: "when was SIFA set up?" is not answered by "In 2016,
# Shelter subcontracted SIFA", "when was the alliance set up?" is by "formed in 2019" (out of fold: facts.jsonl
# declined 32 -> 33 of 40, nothing else moved; "set up" and "start" are too common to be a subject otherwise). Asked
# how or why something began, a sentence telling a beginning answers it (compose.py; tune halves out of fold: key
# facts 450 -> 451 of 480, none lost)
_BEGINNINGS = ("set up", "founded", "started", "start", "established", "formed", "launched", "began", "begun", "created")
_BEGINNING = re.compile(rf"\b({'|'.join(_BEGINNINGS)})\b", re.IGNORECASE)
BEGINNING_TERMS = frozenset(terms(" ".join(_BEGINNINGS)))
# "is Rethink still the lead?", "how many partners these days?": the present, which a dated text cannot speak for
_NOW = re.compile(r"\b(these days|nowadays|currently|at the moment|at present(?!-)|right now|today|so far|(?<!up )to date"
                  r"|now(?! that))\b|\b(is|are|does|do|has|have)\b((?!\b(when|while|as|if|because)\b)[^?.]){0,40}\bstill\b",
                  re.IGNORECASE)
# "write me a job advert like Touchstone's", "can you draft an email to Rethink?", "write a limerick about the
# alliance": asked to write a kind of text the case studies' own words cannot be (of the labelled questions, the 74 such
# requests are all out of scope, and none answerable is one). Only unmistakable kinds, written: "give me the policies
# POhWER shared", "the post Touchstone created", "write up the key lessons for my board", "make a comparison of..."
# ask for what the case studies say, and are answered
_WRITING = (r"job (advert|ad|advertisement|description|spec)s?|adverts?|poems?|limericks?|haikus?|rhymes?|songs?|jokes?"
            r"|slogans?|taglines?|straplines?|tweets?|(linkedin|facebook|instagram|social media|blog) (posts?|captions?)"
            r"|captions?|press releases?|e-?mails?|(cover |thank you |thank-you )?letters? (to|for|of|from|thanking|asking"
            r"|declining|inviting)|cover letters?|speech(es)? (for|to|at|about)|formulas?|(python |excel |vba )?scripts?"
            r"|spreadsheet formulas?|newsletter (articles?|pieces?|items?)")
_WRITING_REQUEST = re.compile(
    r"(^|[.!?;:]\s*)\W*((hi|hey|ok|okay|tbh|so|and|now|then)[,!]?\s+)?((can|could|would|will)\s+(you|u)\s+"
    r"((please|pls|just|also|kindly|quickly|help me( to)?)\s+){0,2}|(please|pls)\s+|help\s+me\s+(to\s+)?"
    r"|i(['’]d| would)\s+like\s+you\s+to\s+|i\s+(need|want)\s+you\s+to\s+)?((please|pls)\s+)?"
    rf"(write|draft|compose)\s+((me|us|them|him|her)\s+)?([\w'’-]+\s+){{0,5}}?({_WRITING})\b",
    re.IGNORECASE)
# "was it easy agreeing how much money to hold back?", "we keep arguing about how much to ringfence": an amount as
# what was weighed up, not the fact asked for
_DELIBERATED = re.compile(r"\b(agree\w*|decid\w*|work(ing|ed)? out|figur\w* out|negotiat\w*|argu\w*(\s+(about|over))?"
                          r"|discuss\w*)\s+(on\s+)?how (much|many|long)\b[^.?!;]*", re.IGNORECASE)
_QUOTES = re.compile(r"\b(quotes?|quoted|in (their|its) own words|(say|said|says) about)\b", re.IGNORECASE)


def asks_in_hindsight(question: str) -> bool:
    """"What would they do differently?", "looking back, ...": a sentence saying what would have been
    better answers it, wherever it sits (often among the challenges, not the lessons)."""
    return _HINDSIGHT.search(question) is not None


def in_hindsight(sentence: str) -> bool:
    """"It would have been more effective to come together in advance": what they'd do differently."""
    return _HINDSIGHT_SAID.search(sentence) is not None


def asks_what_it_gave(question: str) -> bool:
    """"What did the small orgs get out of it?", "what did SIFA gain?": a sentence saying who
    benefitted, and how, answers it better than one about the partnership in general."""
    return _GAIN.search(question) is not None


def says_what_it_gave(sentence: str) -> bool:
    """"Advocacy Matters have benefitted from ...", "this has improved the outcomes for these organisations"."""
    return _GAIN_SAID.search(sentence) is not None


def tells_a_beginning(text: str) -> bool:
    """"When was it set up?", "why was it set up?"; "the Alliance was formed in 2019 ...": a beginning, however it is put."""
    return _BEGINNING.search(text) is not None


def asks_about_now(question: str) -> bool:
    """"Is Rethink still the lead?", "how many orgs does POhWER partner with these days?": the answer
    tells how things stood when the case studies were written, and should say so."""
    return _NOW.search(question) is not None


def asks_for_writing(question: str) -> bool:
    """Does the question ask for a piece of writing ("draft a press release for our consortium"), not for what the case
    studies say?"""
    return _WRITING_REQUEST.search(question) is not None


def asks_for_quotes(question: str) -> bool:
    """"Any quotes from the small charity?", "what does SIFA say about it?": a quote answers it best."""
    return _QUOTES.search(question) is not None


def asks_what_next(question: str) -> bool:
    """"And then what happened?", "what did that lead to?": the story goes on from the last answer."""
    return _WHAT_NEXT.search(question) is not None


def asks_who(question: str) -> bool:
    """"Who funds it?", "which charities were involved?": a sentence naming organisations answers
    it better than one that doesn't. Not a fact whose absence the answer must admit: the case
    studies name organisations freely, and "who" also opens questions of how ("who carries the risk?")."""
    return _WHO.search(question) is not None


def asks_which_cases(question: str) -> bool:
    """"Which case studies ...?", "any examples where ...?": the answer is a list of case studies."""
    return _WHICH_CASES.search(question) is not None


def named_nouns(question: str) -> tuple[str, ...]:
    """The nouns that may stand in the text for the one organisation (or contract) whose name the
    question asks for: "which council merged its services?", "which of the partners pulled out?" -> local
    authority, council, ...; none for "which organisations are partners?" (a list, which the case studies
    give freely)."""
    found = _ONE_NAMED.search(question) or _ONE_OF.search(question)
    noun = found.group("noun").lower() if found else ""
    return next((kin for kin in _KINDRED_NOUNS if noun in kin), ())


def mentions(sentence: str, nouns: tuple[str, ...]) -> bool:
    """Does the sentence speak of one of these, named or not ("the local authority", "Bristol City Council")?"""
    return re.search(rf"\b({'|'.join(nouns)})s?\b", sentence, re.IGNORECASE) is not None


def leaves_unnamed(sentence: str, nouns: tuple[str, ...]) -> bool:
    """Does the sentence speak of one of these without naming it: "a local authority had merged
    ...", "funding for one organisation", "some partners underperformed"? Not "a local community
    organisation (the Balsam Centre)" nor "an organisation focused on ... (Citizens Advice Bureau)",
    which name it in the same clause."""
    return re.search(rf"{_INDEFINITE}({'|'.join(nouns)})s?\b(?![^,;.()]*[(:])", sentence, re.IGNORECASE) is not None


def acronyms_to_expand(question: str) -> list[str]:
    """What a question asking what something stands for asks about: its short words (an acronym's
    length) in capitals or with a digit ("LWPM", "p3"), else those that are no standard English word
    ("sweda"); not "what did Touchstone stand for?"."""
    if not _EXPANSION.search(question):
        return []
    words = [w for w in re.findall(r"[^\W_]+", question)
             if len(w) <= ACRONYM_LETTERS and w.lower() not in STOPWORDS and not _EXPANSION.search(w)]
    marked = [w for w in words if len(w) > 1 and (w.isupper() or (any(c.isdigit() for c in w) and not w.isdigit()))]
    return marked or [w for w in words if not is_standard_word(w)]


def expands(sentence: str, acronym: str) -> bool:
    """Does a run of the sentence's words spell the acronym with their initials, joining words
    ("and", "of") aside? The acronym itself is not its own expansion."""
    words = re.findall(r"[^\W_]+(?:['’][^\W_]+)?|&", sentence)  # "Mayor’s Office" is two words, not three
    return _spelt(words, acronym.lower(), lambda word: True)


def spells_out(sentence: str, acronym: str) -> bool:
    """Does a run of words in one clause of the sentence spell the acronym with the initials of its words of content
    ("of", "and" may give one too; other joining words are passed over): "an expression of interest" spells EOI,
    "Mayor's Office for Policing and Crime" MOPAC; "in a position to" does not spell IAPT, nor "P3 is contracted by"
    ICB, nor "supports the partnership" STP. Stricter than `expands`: a name the question uses is known only by its own
    words."""
    return any(_spelt(re.findall(r"[^\W_]+(?:['’][^\W_]+)?|&", clause), acronym.lower(), _gives_an_initial)
               for clause in re.split(r"[^\w\s'’&-]", sentence))


def _gives_an_initial(word: str) -> bool:
    """A word of content (not a stopword: "Don't be scared" spells no DBS), or "of", "and", "&"."""
    lowered = word.lower()
    return lowered in _INITIAL_JOINING_WORDS or lowered not in STOPWORDS


def _spelt(words: list[str], letters: str, gives_an_initial: Callable[[str], bool]) -> bool:
    """Do the initials of a run of the words spell the letters, joining words passed over?"""
    for start, first in enumerate(words):
        if first.lower() == letters or not gives_an_initial(first):
            continue
        position, matched = start, 0
        while position < len(words) and matched < len(letters):
            word = words[position].lower()
            if word[0] == letters[matched] and gives_an_initial(word):
                matched += 1
            elif not (matched and word in _JOINING_WORDS):
                break
            position += 1
        if matched == len(letters):
            return True
    return False


def intended_sections(question: str) -> list[str]:
    """The sections a question asks about: "what did they learn?" -> ["Learning"]."""
    return [section for section, pattern in _SECTIONS.items() if pattern.search(question)]


def asks_only_for_sections(question: str, names: frozenset[str]) -> bool:
    """"What did they learn?", "any problems?", "key takeaways for our board?": a section asked for and nothing else
    but the case study's name (`names`' terms) and who the answer is for, so the answer is that section, not
    whatever else is near. A word too common to name a subject names one as what the question is about: "lessons
    about money", "problems with our staff", "money lessons"."""
    topics = [w for found in _TOPIC.finditer(question) for w in re.findall(r"[^\W\d_]+", found.group("topic"))
              if w.lower() not in STOPWORDS]
    asked = _ASKERS_SIDE.sub(" ", question)
    topics += [w for pattern in _SECTIONS.values() for found in pattern.finditer(asked)
               for w in re.findall(r"([^\W\d_]+)\W*$", asked[:found.start()])[-1:]
               if w.lower() not in STOPWORDS and w.lower() not in _RANKING and not intended_sections(w)]
    words = [w for w in re.findall(r"[^\W\d_]+", beyond_sections(asked))
             if w.lower() not in STOPWORDS and not is_general_word(w)]
    return bool(intended_sections(question)) and not set(terms(" ".join(words + topics))) - names


def asks_for_a_summary(question: str, names: frozenset[str]) -> bool:
    """"Summarise it", "in a nutshell?", "give me a quick overview of the P3 case study": nothing asked but the overview
    (and the case study's name, `names`' terms). Not "summarise the lessons" (the lessons, in short) nor "summarise
    that" (the last answer)."""
    question = _THE_CASE_ITSELF.sub(" ", question)  # "summarise this case study": the one narrowed to
    asked = intended_sections(question) or (["overview"] if _BARE_SUMMARY.search(question) else [])
    words = [w for w in re.findall(r"[^\W\d_]+", _BARE_SUMMARY.sub(" ", beyond_sections(question)))
             if w.lower() not in STOPWORDS and not set(terms(w)) <= _CASE_WORDS | STOPWORDS]  # "whats"
    return asked == ["overview"] and not set(terms(" ".join(words))) - names and not _POINTS_BACK.search(question)


def beyond_sections(question: str) -> str:
    """The question without its words asking for a section: "what did they learn about trust?" -> "what did
    they about trust?"."""
    for pattern in _SECTIONS.values():
        question = pattern.sub(" ", question)
    return question


def fact_kinds(question: str) -> list[str]:
    """The kinds of fact the question's answer must carry (none for a question of how or why, nor for
    one of degree: "how much did shared values matter?")."""
    return list(_fact_kinds(question))


@lru_cache(maxsize=QUESTIONS_KEPT)  # asked of one question by the coverage decision and the composer alike
def _fact_kinds(question: str) -> tuple[str, ...]:
    question = _DELIBERATED.sub(" ", question)
    kinds = [kind for kind, (asked, _) in _FACT_KINDS.items()
             if asked.search(question) and not (kind == "money" and _DEGREE.search(question))]
    if _SIZE_OF_MONEY.search(question) and "number" not in kinds:  # "how big was the contract - how many partners?"
        return ("money", *(kind for kind in kinds if kind not in ("money", "size")))
    return tuple(kinds)


def _leading_words(text: str) -> list[str]:
    """The words a phrase opens with, to its first stopword: "smaller organisations (most" -> both words."""
    words = []
    for word in text.split()[:_COUNTED_WORDS]:
        if word.lower() in STOPWORDS:
            break
        words.append(word)
    return words


def counted_words(question: str) -> list[str]:
    """What a "how many" question counts, the head noun last: "how many partner orgs does it
    have?" -> ["partner", "orgs"]; "what's the population of Leeds?", "how many people live in Leeds?" ->
    ["population"]."""
    living_in = _LIVING_IN.search(question)
    if _POPULATION_OF.search(question) or (living_in and any(place_countries(word.title()) for word in
                                                             living_in.group("place").split())):
        return ["population"]
    found = _COUNTED.search(question) or _STATISTICS_ON.search(question)
    return _leading_words(found.group(1)) if found else []


def counts(sentence: str, counted: frozenset[str]) -> bool:
    """Does a number in the sentence count one of these things, the noun its phrase ends on ("16
    smaller organisations" for {"organis"}; "five specialist women's sector providers" counts
    providers, not women), or stand bare ("supports around 3.")?"""
    counted = _with_kin(counted)
    for match in _COUNT.finditer(sentence):
        phrase = _leading_words(match.group(2))
        if not match.group(2).strip() or (phrase and counted & set(terms(phrase[-1]))):
            return True
    return False


def counts_vaguely(sentence: str, counted: frozenset[str]) -> bool:
    """Does the sentence speak of some of these things without giving their number: "some partners underperformed",
    "several partners had underestimated demand"? Any of the words after the quantifier may be the thing: a verb
    can follow it before a stopword does."""
    counted = _with_kin(counted)
    return any(counted & set(terms(" ".join(_leading_words(found.group(2))))) for found in _VAGUE_COUNT.finditer(sentence))


def _with_kin(counted: frozenset[str]) -> frozenset[str]:
    """What is counted, with its kin: organisations, providers, partners."""
    return counted.union(*(kin for kin in _KINDRED_TERMS if counted & kin))


def enumerated_terms(question: str) -> frozenset[str]:
    """What a question asks to have listed, with its kin: "list all 28 members" -> member; "who are the five women's
    orgs?" -> org, organisation, charity, partner, provider, group."""
    found = _ENUMERATION.search(question)
    if not found:
        return frozenset()
    named = frozenset(terms(found.group("named")))
    return _with_kin(named | (_ORGANISATION if named & _MEMBER else frozenset()))  # members are organisations here


def lists(text: str, enumerated: frozenset[str]) -> bool:
    """Does the text list names of what is enumerated: three items or a run of three names, just after words of its
    sentence that speak of them ("five specialist women's sector providers: • Basis Yorkshire • ...", "funded by
    London Councils, ...")? Not "providers working across London to deliver projects funded by London Councils, ...":
    those name funders."""
    for found in _FACT_KINDS["list"][1].finditer(text):
        opening = max(text.rfind(end, 0, found.start()) for end in ".!?") + 1
        before = " ".join(text[opening : found.start()].split()[-LEAD_IN_WORDS:])
        if any(said.startswith(asked) or asked.startswith(said) for said in terms(before)
               for asked in enumerated if min(len(said), len(asked)) >= MIN_SHARED_STEM):
            return True  # "funders" and "funded by"
    return False


def members_asked(question: str) -> frozenset[str]:
    """The terms of the members a question asks the names of: "list the partners" -> partner; none if it asks none."""
    found = _MEMBERS_ASKED.search(question)
    return frozenset(terms(found.group(0).split()[-1])) if found else frozenset()


def priced_terms(question: str) -> frozenset[str]:
    """What a question asking for a sum asks the sum of, with its kin: "what's CYN's annual income?"
    -> income, turnover, revenue (none for "how much did the funder give?")."""
    asked = set(terms(question))
    return frozenset().union(*(kin for kin in _PRICED_TERMS if asked & kin))


def rated_terms(question: str) -> frozenset[str]:
    """What a question asking for a rate asks the rate of, the word before "rate" and the first after "rate of", all
    of which a share answering it must name: "the success rate of bids" -> success, bid; "current rates of
    homelessness" -> current, homeless (strict: an adjective is required too)."""
    return frozenset(terms(" ".join(word for found in _RATE_OF.finditer(question) for word in found.groups() if word)))


def carries_fact(sentence: str, kinds: list[str], counted: frozenset[str] = frozenset(),
                 priced: frozenset[str] = frozenset(), rated: frozenset[str] = frozenset(),
                 asked: frozenset[str] = frozenset()) -> bool:
    """Does the sentence carry a fact of one of these kinds? A number must count what the question
    counts, when that is given: "how many staff?" is not answered by "16 smaller organisations";
    a sum must be of what the question prices: "what's their income?" is not answered by "the £7.4m contract";
    a share must be of what a rate is asked of: "the success rate of bids" is not "more than 50% from BME communities";
    a place must be one the question (its terms: `asked`) does not name: "which London boroughs?" is not
    answered by "across London"."""
    said = set(terms(sentence))
    return any(_carries(sentence, kind, asked) and (kind != "number" or not counted or counts(sentence, counted))
               and (kind != "money" or not priced or bool(priced & said))
               and (kind != "proportion" or rated <= said)
               for kind in kinds)


def _carries(sentence: str, kind: str, asked: frozenset[str]) -> bool:
    """Does the sentence say a fact of this kind at all: for a place, one whose words the question doesn't already name."""
    carried = _FACT_KINDS[kind][1]
    if kind != "place":
        return carried.search(sentence) is not None
    return any(not set(terms(found.group("place"))) <= asked for found in carried.finditer(sentence))
