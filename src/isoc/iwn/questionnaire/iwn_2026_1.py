"""Edition 2026.1 of the Internet Way of Networking impact assessment questionnaire.

Written for isoc after the Internet Society's description of the Internet Way of
Networking: five critical properties that make the Internet work, and the enablers of an
Internet that is open, globally connected, secure and trustworthy. The texts are ours.
Every text is marked with ``gettext_noop`` so that ``isoc i18n extract`` finds it; the
shell translates it when it shows it. Change an edition only to fix wording: new or
removed questions belong in a new edition (a new module), so saved answers stay valid.
"""

from __future__ import annotations

from isoc.iwn.questionnaire.model import NO, YES, Part, Questionnaire, Step, question


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it here."""
    return message


_ = gettext_noop

ACCESSIBLE = Part(
    "accessible-infrastructure", "property", _("An accessible infrastructure with a common protocol"),
    _("Anyone can connect a network to the Internet and build on it, and every network speaks the same "
      "Internet Protocol to exchange traffic with the others."),
    (question("accessible-infrastructure.1",
              _("Would the proposal make it harder or costlier to connect to the Internet or to build a network "
                "that joins it (for example by licensing or registering network operators)?"), YES,
              _("It raises the barriers to connecting, or to building networks that join the Internet.")),
     question("accessible-infrastructure.2",
              _("Would it require networks or devices to use something other than the Internet Protocol to "
                "exchange traffic with other networks?"), YES,
              _("It weakens the common protocol that lets any network exchange traffic with any other."))))

OPEN_ARCHITECTURE = Part(
    "open-architecture", "property", _("An open architecture of interoperable and reusable building blocks"),
    _("The Internet is made of building blocks defined by open standards, adopted voluntarily; anyone can "
      "combine them in new ways without asking permission."),
    (question("open-architecture.1",
              _("Would it mandate one technology, product or proprietary standard instead of open standards "
                "adopted voluntarily?"), YES,
              _("Mandating one technology or a proprietary standard closes the open, standards-based architecture.")),
     question("open-architecture.2",
              _("Would new applications or services built from existing Internet building blocks need permission "
                "or certification before they could be offered?"), YES,
              _("Requiring permission to combine building blocks in new ways stops permissionless innovation.")),
     question("open-architecture.3",
              _("Could the building blocks it concerns still work together with those of other vendors and "
                "networks?"), NO,
              _("Building blocks that cannot work with others break interoperability."))))

DECENTRALISED = Part(
    "decentralised-management", "property", _("Decentralised management and a single distributed routing system"),
    _("Tens of thousands of independent networks each decide how they route traffic, and together form one "
      "routing system that no single party controls."),
    (question("decentralised-management.1",
              _("Would it place the routing or traffic decisions of independent networks under one central "
                "authority?"), YES,
              _("Central control of routing removes the independence of networks that makes the Internet robust.")),
     question("decentralised-management.2",
              _("Would it limit which networks an operator may interconnect with, or force traffic through "
                "designated gateways?"), YES,
              _("Forced gateways and limits on interconnection create chokepoints and single points of failure.")),
     question("decentralised-management.3",
              _("Could network operators still choose their own routing policies?"), NO,
              _("Operators that cannot set their own routing policies no longer manage their networks "
                "independently."))))

IDENTIFIERS = Part(
    "global-identifiers", "property", _("Common global identifiers"),
    _("IP addresses, autonomous system numbers and domain names mean the same thing everywhere, because "
      "they are allocated through globally coordinated registries."),
    (question("global-identifiers.1",
              _("Would it create names, numbers or addresses that work only in one country or network, or change "
                "how global domain names resolve?"), YES,
              _("Identifiers that resolve differently by place break the single global namespace.")),
     question("global-identifiers.2",
              _("Would it move the allocation of IP addresses, AS numbers or domain names outside the globally "
                "coordinated registries?"), YES,
              _("Allocating identifiers outside global coordination risks collisions and a split namespace."))))

GENERAL_PURPOSE = Part(
    "general-purpose", "property", _("A technology-neutral, general-purpose network"),
    _("The network carries any application over any underlying technology; it is not built for one use, so "
      "uses nobody foresaw can appear without changing it."),
    (question("general-purpose.1",
              _("Would it require networks to treat traffic differently by application, content or technology "
                "(blocking, slowing down or prioritising it)?"), YES,
              _("Treating traffic differently by application turns a general-purpose network into a "
                "special-purpose one.")),
     question("general-purpose.2",
              _("Would it tie the network to one service or use, so that new uses would need changes in the "
                "network?"), YES,
              _("A network built for one use cannot carry the uses nobody has imagined yet."))))

EASY_ACCESS = Part(
    "easy-access", "enabler", _("Easy and unrestricted access"),
    _("People can get online affordably and reach lawful content and services without artificial barriers."),
    (question("easy-access.1",
              _("Would it make Internet access more expensive or more restricted for some people or places (for "
                "example through taxes, fees or registering users)?"), YES,
              _("It makes access harder or more expensive for some people.")),
     question("easy-access.2",
              _("Would it block or limit access to lawful content or services?"), YES,
              _("Blocking lawful content and services restricts what people can reach."))))

UNRESTRICTED_USE = Part(
    "unrestricted-use", "enabler", _("Unrestricted use and deployment of Internet technologies"),
    _("Anyone may use and deploy Internet technologies, and create new ones, without needing permission."),
    (question("unrestricted-use.1",
              _("Would it restrict the use of particular Internet technologies, such as encryption, VPNs or new "
                "protocols?"), YES,
              _("Restricting technologies limits what people can build and use.")),
     question("unrestricted-use.2",
              _("Could anyone still deploy new Internet services and technologies without asking for "
                "permission?"), NO,
              _("Requiring permission to deploy technologies slows innovation."))))

COLLABORATIVE = Part(
    "collaborative-governance", "enabler", _("Collaborative development, management and governance"),
    _("The Internet's standards, resources and policies are developed in open processes in which all "
      "stakeholders can take part."),
    (question("collaborative-governance.1",
              _("Were the people and organisations it affects (technical community, civil society, business, "
                "users) openly consulted while it was prepared?"), NO,
              _("Decisions taken without those affected lose the collaborative model that built the Internet.")),
     question("collaborative-governance.2",
              _("Would it move decisions now taken by open, bottom-up bodies (standards organisations, regional "
                "Internet registries) to a closed process?"), YES,
              _("Moving decisions from open bodies to a closed process shuts stakeholders out."))))

REACHABILITY = Part(
    "reachability", "enabler", _("Unrestricted reachability"),
    _("Any endpoint on the Internet can reach any other endpoint that wants to be reached, wherever it is."),
    (question("reachability.1",
              _("Would it prevent users from reaching, or being reached by, other endpoints on the Internet (for "
                "example by blocking addresses, ports or foreign services)?"), YES,
              _("Endpoints that cannot reach each other fragment the Internet.")),
     question("reachability.2",
              _("Would it require traffic or data to stay within national borders or pass through national "
                "gateways?"), YES,
              _("Localisation rules and national gateways limit global reachability."))))

CAPACITY = Part(
    "capacity", "enabler", _("Available capacity"),
    _("There is enough network capacity, built by many operators, exchange points and data centres, to carry "
      "what people need at a fair price."),
    (question("capacity.1",
              _("Would it make it harder to build or expand networks, exchange points or data centres, or to "
                "obtain radio spectrum?"), YES,
              _("Barriers to building capacity leave networks congested and access costly.")),
     question("capacity.2",
              _("Would it add a charge on exchanging traffic between networks (for example a fee for delivering "
                "traffic)?"), YES,
              _("Charges on exchanging traffic make interconnection costlier and capacity scarcer."))))

CONFIDENTIALITY = Part(
    "confidentiality", "enabler", _("Data confidentiality of information, devices and applications"),
    _("People and organisations can keep their communications and data private from those they did not "
      "share them with, above all through strong encryption."),
    (question("confidentiality.1",
              _("Would it weaken or ban encryption, or require exceptional access to encrypted data?"), YES,
              _("Weakened encryption exposes everyone's data, not only that of the people targeted.")),
     question("confidentiality.2",
              _("Would it require providers to keep, or hand over, the keys that protect their users' data?"), YES,
              _("Keys held for others are a target: whoever obtains them can read the data."))))

INTEGRITY = Part(
    "integrity", "enabler", _("Integrity of information, applications and services"),
    _("Data arrives as it was sent, and people can check that software, names and routes are genuine."),
    (question("integrity.1",
              _("Would it require or allow content, traffic or DNS answers to be altered in transit?"), YES,
              _("Altering traffic in transit undermines the trust that data arrives as it was sent.")),
     question("integrity.2",
              _("Would it discourage security measures that protect integrity, such as DNSSEC, RPKI or signed "
                "software updates?"), YES,
              _("Discouraging integrity protections leaves names, routes and software open to forgery."))))

RELIABILITY = Part(
    "reliability", "enabler", _("Reliability, resilience and availability"),
    _("The Internet keeps working when parts of it fail, and people can count on it being there."),
    (question("reliability.1",
              _("Would it allow Internet shutdowns or large-scale disruptions of services?"), YES,
              _("Shutdowns and disruptions make the Internet unreliable for everyone who depends on it.")),
     question("reliability.2",
              _("Would it concentrate traffic or services in a few points or providers whose failure would "
                "affect many users?"), YES,
              _("Concentration creates single points of failure."))))

ACCOUNTABILITY = Part(
    "accountability", "enabler", _("Accountability"),
    _("Those who make and apply decisions about the Internet can be held to account for them."),
    (question("accountability.1",
              _("Would the decisions taken under it (such as blocking orders or requests for data) be reported "
                "openly and overseen by an independent body?"), NO,
              _("Decisions without transparency or independent oversight cannot be held to account.")),
     question("accountability.2",
              _("Could the people affected learn of those decisions and challenge them?"), NO,
              _("Without a way to challenge decisions, mistakes and abuse go uncorrected."))))

PRIVACY = Part(
    "privacy", "enabler", _("Privacy"),
    _("People control what is collected about them and how it is used."),
    (question("privacy.1",
              _("Would it require collecting or keeping more personal data about users than a service needs?"), YES,
              _("Collecting or keeping more personal data than needed puts users' privacy at risk.")),
     question("privacy.2",
              _("Would it require people to identify themselves before they can go online or use a service?"), YES,
              _("Mandatory identification ends anonymous use and exposes people who need it."))))

QUESTIONNAIRE = Questionnaire("2026.1", (
    Step("accessible-infrastructure", ACCESSIBLE.title, _("A critical property of the Internet."), (ACCESSIBLE,)),
    Step("open-architecture", OPEN_ARCHITECTURE.title, _("A critical property of the Internet."), (OPEN_ARCHITECTURE,)),
    Step("decentralised-management", DECENTRALISED.title, _("A critical property of the Internet."), (DECENTRALISED,)),
    Step("global-identifiers", IDENTIFIERS.title, _("A critical property of the Internet."), (IDENTIFIERS,)),
    Step("general-purpose", GENERAL_PURPOSE.title, _("A critical property of the Internet."), (GENERAL_PURPOSE,)),
    Step("open", _("An open Internet"),
         _("The enablers that keep the Internet open to anyone who wants to use it, build on it or take part in "
           "its development."), (EASY_ACCESS, UNRESTRICTED_USE, COLLABORATIVE)),
    Step("globally-connected", _("A globally connected Internet"),
         _("The enablers that let every part of the Internet reach every other."), (REACHABILITY, CAPACITY)),
    Step("secure", _("A secure Internet"),
         _("The enablers that protect information, devices and services."), (CONFIDENTIALITY, INTEGRITY, RELIABILITY)),
    Step("trustworthy", _("A trustworthy Internet"),
         _("The enablers that let people trust the Internet and those who run it."), (ACCOUNTABILITY, PRIVACY)),
))
