"""Lookup lists for `GET universal-insurance/options/...` (optional in spec §C).

Key names follow Universal Insurance's option lists as VTPass relays them [CODE1]; the values
are a small, plausible subset.
"""

from __future__ import annotations

from gateway.vtpass.simulator.fields import JSONObject

_COLORS = ["Ash", "Black", "Blue", "Brown", "Gold", "Green", "Grey", "Red", "Silver", "White"]
_CAPACITIES = ["0.1 - 1.59", "1.6 - 2.0", "2.1 - 3.0", "3.1 - 4.5", "4.6 - 6.0"]
_STATES = {
    "1": ("Lagos", ["Ikeja", "Alimosho", "Eti-Osa", "Surulere", "Kosofe"]),
    "2": ("Abuja FCT", ["Abaji", "Bwari", "Gwagwalada", "Kuje", "Municipal Area Council"]),
    "3": ("Oyo", ["Ibadan North", "Ibadan South-West", "Ogbomosho North", "Oyo East"]),
    "4": ("Kano", ["Dala", "Fagge", "Gwale", "Kano Municipal", "Nassarawa"]),
    "5": ("Rivers", ["Port Harcourt", "Obio/Akpor", "Eleme", "Ikwerre", "Okrika"]),
}
_BRANDS = {
    "1": ("Toyota", ["Camry", "Corolla", "Highlander", "RAV4", "Hilux"]),
    "2": ("Honda", ["Accord", "Civic", "CR-V", "Pilot"]),
    "3": ("Lexus", ["ES 350", "RX 350", "GX 460"]),
    "4": ("Hyundai", ["Elantra", "Sonata", "Tucson"]),
    "5": ("Kia", ["Rio", "Sorento", "Sportage"]),
}


def insurance_options(option: str, parent: str | None = None) -> JSONObject | None:
    """The option list body, or None when the option (or its parent code) is unknown."""
    content: list[JSONObject]
    if option == "color":
        content = [{"ColourCode": str(i), "ColourName": n} for i, n in enumerate(_COLORS, 1)]
    elif option == "engine-capacity":
        content = [
            {"CapacityCode": str(i), "CapacityName": n} for i, n in enumerate(_CAPACITIES, 1)
        ]
    elif option == "state":
        content = [{"StateCode": c, "StateName": n} for c, (n, _) in _STATES.items()]
    elif option == "lga" and parent in _STATES:
        content = [
            {"LGACode": f"{parent}{i:02d}", "LGAName": n, "StateCode": parent}
            for i, n in enumerate(_STATES[parent][1], 1)
        ]
    elif option == "brand":
        content = [{"VehicleMakeCode": c, "VehicleMakeName": n} for c, (n, _) in _BRANDS.items()]
    elif option == "model" and parent in _BRANDS:
        content = [
            {
                "VehicleModelCode": f"{parent}{i:02d}",
                "VehicleModelName": n,
                "VehicleMakeCode": parent,
            }
            for i, n in enumerate(_BRANDS[parent][1], 1)
        ]
    else:
        return None
    return {"response_description": "000", "content": content}
