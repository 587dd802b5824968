"""A sample partnership of four agencies: for `joinedup demo`, for trainers, and for the tests."""
from __future__ import annotations

from dataclasses import dataclass

from bot.domain.config import Agency, Partnership, RiskLevel
from bot.domain.glossary import Term
from bot.blocks.ids import Field
from bot.standin.slack import SlackStandIn


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    role: str
    tz: str = "Europe/London"


SAM = Person("U0SAMSW", "Sam Okafor", "social worker, Children's Social Care")
TIA = Person("U0TIATEACH", "Tia Brennan", "designated safeguarding lead, Oakfield Primary")
NIA = Person("U0NIANURSE", "Nia Hughes", "school nurse, Health")
PAT = Person("U0PATPC", "PC Pat Moran", "police officer, Police")
LEE = Person("U0LEELEAD", "Lee Carter", "lead, Health")
ROBIN = Person("U0ROBINIRO", "Robin Shah", "independent reviewing officer")
ADMIN = Person("U0ADMINIG", "Ash Patel", "information governance, the council")
OUTSIDER = Person("U0OUTSIDE", "Olly Dean", "member of the workspace in no agency")
PEOPLE = (SAM, TIA, NIA, PAT, LEE, ROBIN, ADMIN, OUTSIDER)

SOCIAL_CARE = Agency("social-care", "Children's Social Care", "C0SOCIAL", leads=(SAM.user_id,))
EDUCATION = Agency("education", "Education (Oakfield Primary)", "C0SCHOOL", leads=(TIA.user_id,))
HEALTH = Agency("health", "Health", "C0HEALTH", leads=(LEE.user_id,))
POLICE = Agency("police", "Police", "C0POLICE", leads=(PAT.user_id,))
CHANNEL_MEMBERS = {
    SOCIAL_CARE.channel: [SAM.user_id, ROBIN.user_id],
    EDUCATION.channel: [TIA.user_id],
    HEALTH.channel: [NIA.user_id, LEE.user_id],
    POLICE.channel: [PAT.user_id],
}

RISK_LEVELS = (
    RiskLevel("universal", "Universal: no additional needs",
              "The child's needs are met by universal services (school, GP, health visitor); no extra support is needed."),
    RiskLevel("early-help", "Early help",
              "Emerging needs that one or more agencies can meet with coordinated early help, with the family's agreement."),
    RiskLevel("child-in-need", "Child in need",
              "The child is unlikely to reach or keep a reasonable standard of health or development without services "
              "from the local authority (Children Act 1989, s17)."),
    RiskLevel("significant-harm", "Significant harm: act now",
              "There is reasonable cause to suspect the child is suffering, or likely to suffer, significant harm "
              "(Children Act 1989, s47): a referral to children's services and a strategy discussion are needed now.",
              urgent=True),
)


# A valid record about CR-12345 from Sam, shared with Education and Health: form answers by block id.
SAMPLE_ANSWERS = {
    Field.CASE_REFERENCE: "CR-12345",
    Field.SHARER_AGENCY: "social-care",
    Field.SHARE_WITH: ["education", "health"],
    Field.PURPOSES: ["To keep the child safe from harm"],
    Field.SOURCE: "first_hand",
    Field.LAWFUL_BASIS: "Public task: statutory safeguarding duty (no consent sought)",
    Field.SUMMARY: "Met at school. The child said they had not had breakfast this week.",
    Field.RISK_LEVEL: "early-help",
}


def sample_partnership() -> Partnership:
    return Partnership(
        name="Anyshire Children's Partnership",
        admins=(ADMIN.user_id,),
        agencies=(SOCIAL_CARE, EDUCATION, HEALTH, POLICE),
        risk_levels=RISK_LEVELS,
        emergency_instructions=("If a child is in immediate danger, call 999 now. For any other urgent concern, phone "
                                "the children's services duty team on 01632 960000 now (out of hours 01632 960001). "
                                "This record does not replace that call."),
        glossary=(Term("Low-level concern", aliases=("niggle", "worry"), category="need level",
                       definition="Something a practitioner has noticed that may affect the child's wellbeing "
                                  "but does not on its own meet the threshold for early help.",
                       source="Anyshire threshold document, 2026"),),
    )


def populate(standin: SlackStandIn) -> None:
    """The sample partnership's people and channels, in a Slack stand-in."""
    for person in PEOPLE:
        standin.add_user(person.user_id, name=person.name.split()[0].lower(), real_name=person.name, tz=person.tz)
    partnership = sample_partnership()
    for agency in partnership.agencies:
        standin.add_channel(agency.channel, name=agency.key, members=CHANNEL_MEMBERS[agency.channel])


def sample_toml() -> str:
    """The sample partnership as a configuration file, for running `joinedup serve` against a stand-in."""
    partnership = sample_partnership()

    def quoted(items: tuple[str, ...]) -> str:
        return "[" + ", ".join(f'"{item}"' for item in items) + "]"

    lines = ["[organisation]", f'name = "{partnership.name}"', f"admins = {quoted(partnership.admins)}",
             f'emergency_instructions = "{partnership.emergency_instructions}"', ""]
    for agency in partnership.agencies:
        lines += ["[[agencies]]", f'key = "{agency.key}"', f'name = "{agency.name}"', f'channel = "{agency.channel}"',
                  f"leads = {quoted(agency.leads)}", ""]
    for level in partnership.risk_levels:
        lines += ["[[risk_levels]]", f'key = "{level.key}"', f'label = "{level.label}"',
                  f'definition = "{level.definition}"', f"urgent = {str(level.urgent).lower()}", ""]
    for term in partnership.glossary:
        lines += ["[[glossary]]", f'term = "{term.term}"', f'definition = "{term.definition}"',
                  f"aliases = {quoted(term.aliases)}", f'source = "{term.source}"', f'category = "{term.category}"', ""]
    return "\n".join(lines)
