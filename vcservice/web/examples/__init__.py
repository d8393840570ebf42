"""The example chains, packaged with the wheel, and ``GET /verify/example/{name}``.

A newcomer's first minute: the landing page offers each example chain (and a few of their
failing variants) as one link, and following it shows the verdict page for that bundle, so
nobody has to find and paste a 140 KB file to see what the service answers.

The JSON files beside this module are byte-identical copies of ``examples/<chain>/bundle.json``
and of a few ``examples/<chain>/negative/<variant>.json`` (``make examples`` writes them;
``tests/web/test_examples_packaged.py`` keeps them equal to their sources). A link is a plain
GET, so it can be shared and bookmarked; it verifies through the very path ``/verify`` uses
(:func:`vcservice.web.pages._run`, as if the file had been uploaded), so what the example
shows, its result link and its reports are what an upload of the same file gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vcservice.http.deps import VerifierAccess
from vcservice.service import Service
from vcservice.web import pages
from vcservice.web.render import ENV, page
from vcservice.web.share import SharedInput


@dataclass(frozen=True)
class Example:
    """One packaged bundle: ``name`` is its URL segment and file stem (``<name>.json``);
    ``source`` is the file under ``examples/`` in the repository it is a copy of."""

    name: str
    source: str
    title: str
    description: str

    @property
    def href(self) -> str:
        return f"/verify/example/{self.name}"


#: The three example chains, every check passing: what the landing page offers first.
CHAINS = (
    Example(
        "copper",
        "copper/bundle.json",
        "Copper cathode and wire",
        "Copper from a Swedish mine and scrap, smelted into cathode and drawn into wire for "
        "computers, claiming 8.0 kg CO2e per kg of copper under mass balance.",
    ),
    Example(
        "steel",
        "steel/bundle.json",
        "Low-carbon steel coil and truck chassis",
        "Iron ore pellets made into low-carbon hot-rolled coil (0.7 kg CO2e per kg) and built "
        "into truck chassis, with recycled scrap steel alongside.",
    ),
    Example(
        "battery",
        "battery/bundle.json",
        "Electric-vehicle battery pack",
        "Nickel, cobalt and lithium, part of them recycled, made into cathode material, cells "
        "and 78 kWh packs: 8.81 kg CO2e per kWh, 20 % recycled cobalt, 10 % recycled lithium "
        "and 10 % recycled nickel.",
    ),
)

#: Failing variants of the chains: one defect each, so a newcomer sees what a failure looks like.
FAILURES = (
    Example(
        "copper-footprint",
        "copper/negative/rollup.footprint.json",
        "Copper: the footprint does not add up",
        "The smelter's own figure gives 1.9 + 4.1 = 6.0 kg CO2e per kg, but the cathode is "
        "sold as 8.0.",
    ),
    Example(
        "copper-tampered",
        "copper/negative/links.digest.json",
        "Copper: a certificate was altered",
        "The recycled-content certificate of a scrap lot was changed after the chain linked to it.",
    ),
    Example(
        "steel-revoked",
        "steel/negative/status.revocation.json",
        "Steel: a certificate was revoked",
        "The certifier has withdrawn the chassis plant's chain-of-custody certificate.",
    ),
    Example(
        "battery-recycled-cobalt",
        "battery/negative/massbalance.conservation.json",
        "Battery: more recycled cobalt sold than bought",
        "The cathode maker sells 3.4 t of recycled cobalt while only 2.4 t came in.",
    ),
)

#: Every packaged example by name.
CATALOGUE = {example.name: example for example in CHAINS + FAILURES}

# The empty /verify form offers the chains too (verify.html, "No credential at hand?"): a Jinja
# global rather than a value every route rendering that form must remember to pass.
ENV.globals["example_chains"] = CHAINS


def packaged(name: str) -> str:
    """The packaged bundle ``name`` as text (a catalogue name: never a path from the URL)."""
    return resources.files(__name__).joinpath(f"{CATALOGUE[name].name}.json").read_text("utf-8")


router = APIRouter(include_in_schema=False, dependencies=[VerifierAccess])


@router.get("/verify/example/{name}", response_class=HTMLResponse)
async def verify_example(request: Request, name: str) -> HTMLResponse:
    """The verdict page for a packaged example; an unknown name is a 404 in plain words."""
    if name not in CATALOGUE:
        return page(
            "verify.html",
            404,
            error=f"There is no example called “{name[:60]}”: choose one of the examples "
            "above, or verify a credential of your own below.",
            values={},
        )
    service: Service = request.app.state.service
    values = {"credential": "", "url": "", "anchors": ""}
    given = SharedInput(text=packaged(name), url="", anchors="")
    return await pages._run(service, given, values)
