"""Marriage registration: the qualification rate (T14, rules M01–M09 of
marriage-rules.md), archive coverage (T20) and marriages / divorces from
January (JZH01).

Every electronic registration act is checked against nine rules; it is
qualified when it breaks none. Rules M05–M07 look across the whole history:
the electronic acts and the transcribed paper archive since 1949, and the
deaths in the funeral homes' records. A person is their ID number (an
unreadable ID is compared as written).
"""

from __future__ import annotations

import pandas as pd
import sources
from results import Figures, rate, stock4

PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
             "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
             "65", "71", "81", "82"}
CERTIFICATE_PREFIX = {"结婚": "J", "离婚": "L", "补领结婚证": "BJ", "补领离婚证": "BL"}
CERTIFICATE_FORM = r"^(BJ|BL|J|L)([0-9]{6})-([0-9]{4})-([0-9]{6})$"
MARRIAGE_KINDS = {"结婚", "补领结婚证"}      # what a 补领结婚证 may refer to
DIVORCE_KINDS = {"离婚", "补领离婚证"}


def marriage_figures(landing, regions, bodies: pd.DataFrame, figs: Figures) -> None:
    acts = sources.load(landing, "marriage", regions.division)
    acts.index = "e" + acts.index.astype(str)                     # registration ids
    archive = sources.load(landing, "marriage_archive", regions.division)
    archive.index = "a" + archive.index.astype(str)
    deaths = bodies.groupby("deceased")["died_on"].min()          # anyone in any funeral home's records

    acts["registration_year"] = acts["registered_on"].dt.year.astype(str)
    if acts.empty:                 # no electronic system yet: nothing to score
        _registrations_so_far(acts, archive, figs)
        return
    events = registration_events(acts, archive)
    failed = (m01(acts) | m02_m03(acts) | m04(acts) | m05(acts, events, deaths) | m06_m07(acts, events)
              | m08(acts) | m09(acts, deaths))
    acts["qualified"] = ~failed

    # T14 per year, the county's offices; T20 for every year of the electronic system
    delivered_years = set(acts["period"].str[:4])
    years = sorted(delivered_years | set(acts["registration_year"]))
    ours = acts[acts["office_code"].str[:6] == regions.county6]
    first_year = int(min(delivered_years)) if delivered_years else None
    archive_years = {int(y) for y in archive["period"]}
    for year in years:
        of_year = ours[ours["registration_year"] == year]
        figs.target("T14", year, rate(of_year["qualified"].sum(), len(of_year)))
        if first_year is not None and regions.county6 in set(acts["office_code"].str[:6]):
            loaded = len({y for y in archive_years if 1949 <= y < first_year})
            figs.target("T20", year, rate(loaded, first_year - 1949))

    _registrations_so_far(acts, archive, figs)


def registration_events(acts: pd.DataFrame, archive: pd.DataFrame) -> pd.DataFrame:
    """Every act ever recorded, electronic and archive: who, what, when, its number.
    An unreadable archive date still orders the act in its archive year."""
    electronic = pd.DataFrame({"registration_type": acts["registration_type"], "reference_no": acts["certificate_no"],
                               "man": acts["man"], "woman": acts["woman"], "ordering_date": acts["registered_on"]})
    archived = pd.DataFrame({"registration_type": archive["registration_type"], "reference_no": archive["archive_no"],
                             "man": archive["man"], "woman": archive["woman"],
                             "ordering_date": archive["registered_on"].fillna(
                                 pd.to_datetime(archive["period"] + "-01-01"))})
    return pd.concat([electronic, archived])


def parties(acts: pd.DataFrame) -> pd.DataFrame:
    """Each act twice, once per party, the party's fields under one name."""
    frames = []
    for side, label, sex in (("man", "男方", "男"), ("woman", "女方", "女")):
        ids = acts[f"{side}_id"]
        birth = acts[f"{side}_birth_date"]
        id_birth = pd.to_datetime(ids.str[6:14], format="%Y%m%d", errors="coerce")
        age = (acts["registered_on"].dt.year - birth.dt.year
               - ((acts["registered_on"].dt.month * 100 + acts["registered_on"].dt.day)
                  < (birth.dt.month * 100 + birth.dt.day)).astype(int))
        frames.append(pd.DataFrame({
            "registration_id": acts.index, "party": label, "registration_type": acts["registration_type"],
            "registered_on": acts["registered_on"], "person": acts[side], "id": ids,
            "id_valid": acts[f"{side}_id_valid"], "name_present": acts[f"{side}_name_present"],
            "nationality": acts[f"{side}_nationality"],
            "birth_month": birth.dt.strftime("%Y-%m").fillna(ids.str[6:10] + "-" + ids.str[10:12]),
            "birth_date_differs": ids.notna() & birth.notna() & (id_birth != birth),
            "sex_differs": ids.notna() & ((ids.str[16].astype(float) % 2 == 1) != (sex == "男")),
            "age": age.where(birth.notna()),
            "legal_age": (22 if side == "man" else 20) - 2 * (acts["registered_on"] < "1981-01-01"),
        }, index=acts.index))
    return pd.concat(frames)


def _any_party(flags: pd.DataFrame | pd.Series, acts: pd.DataFrame) -> pd.Series:
    """An act fails when the rule fails for either party."""
    return flags.groupby(level=0).any().reindex(acts.index, fill_value=False)


def m01(acts: pd.DataFrame) -> pd.Series:
    """Required fields: type, date, certificate number, and each party's name,
    birth date, nationality and ID."""
    missing = acts["certificate_no"].isna()
    for side in ("man", "woman"):
        missing |= (~acts[f"{side}_name_present"] | acts[f"{side}_birth_date"].isna()
                    | acts[f"{side}_nationality"].isna() | acts[side].isna())
    return missing


def m02_m03(acts: pd.DataFrame) -> pd.Series:
    """A mainland party's ID: well-formed with a known province (M02), and
    agreeing with the recorded birth date and the party's sex (M03)."""
    p = parties(acts)
    mainland = p[p["nationality"].fillna("内地").eq("内地") & p["person"].notna()]
    m02 = (mainland["id_valid"] != True) | ~mainland["id"].str[:2].isin(PROVINCES)  # noqa: E712 (nullable)
    m03 = mainland["id"].notna() & (mainland["birth_date_differs"] | mainland["sex_differs"])
    return _any_party(m02 | m03, acts)


def m04(acts: pd.DataFrame) -> pd.Series:
    """结婚: both parties of legal age on the registration day."""
    p = parties(acts)
    return _any_party((p["registration_type"] == "结婚") & (p["age"] < p["legal_age"]).fillna(False), acts)


def m05(acts: pd.DataFrame, events: pd.DataFrame, deaths: pd.Series) -> pd.Series:
    """结婚: neither party still married: an earlier marriage (electronic or
    archive) not ended by a registered divorce of the same two people or by
    the spouse's death on or before the new date."""
    p = parties(acts)
    new = p[(p["registration_type"] == "结婚") & p["person"].notna()].reset_index(drop=True)
    marriages = events[events["registration_type"] == "结婚"].rename_axis("event_id").reset_index()
    by_party = pd.concat([marriages.assign(person=marriages["man"]), marriages.assign(person=marriages["woman"])])
    by_party = by_party[by_party["person"].notna()]
    earlier = new.merge(by_party[["event_id", "person", "man", "woman", "ordering_date"]], on="person")
    earlier = earlier[(earlier["ordering_date"] < earlier["registered_on"])
                      & (earlier["event_id"] != earlier["registration_id"])].copy()
    earlier = earlier.drop_duplicates(["registration_id", "party", "event_id"])
    earlier["spouse"] = earlier["woman"].where(earlier["man"] == earlier["person"], earlier["man"])

    # (pandas matches missing keys to each other, SQL does not: drop them first)
    divorces = events.loc[events["registration_type"] == "离婚", ["man", "woman", "ordering_date"]].dropna(
        subset=["man", "woman"])
    divorced = earlier.reset_index().merge(divorces.rename(columns={"ordering_date": "divorced_on"}),
                                           on=["man", "woman"])
    divorced = divorced.loc[(divorced["divorced_on"] >= divorced["ordering_date"])
                            & (divorced["divorced_on"] <= divorced["registered_on"]), "index"]
    widowed = earlier["spouse"].map(deaths) <= earlier["registered_on"]
    still_married = earlier[~earlier.index.isin(divorced) & ~widowed]
    return acts.index.to_series().isin(still_married["registration_id"])


def m06_m07(acts: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    """离婚 (M06) and 补领 (M07): 原结婚证字号 names an earlier act of the right
    kind between the same two people (a re-issue may be the same day)."""
    referring = acts[acts["registration_type"] != "结婚"]
    numbered = events[events["reference_no"].notna()].rename_axis("event_id").reset_index()
    named = referring.rename_axis("registration_id").reset_index()[
        ["registration_id", "registration_type", "original_certificate_no", "man", "woman", "registered_on"]].merge(
        numbered, left_on="original_certificate_no", right_on="reference_no", suffixes=("", "_named"))
    named = named[named["event_id"] != named["registration_id"]]
    right_kind = (((named["registration_type"] == "离婚") & (named["registration_type_named"] == "结婚"))
                  | ((named["registration_type"] == "补领结婚证") & named["registration_type_named"].isin(MARRIAGE_KINDS))
                  | ((named["registration_type"] == "补领离婚证") & named["registration_type_named"].isin(DIVORCE_KINDS)))
    same_people = (named["man_named"] == named["man"]) & (named["woman_named"] == named["woman"])
    earlier = named["ordering_date"].where(named["registration_type"] != "离婚") <= named["registered_on"]
    earlier |= (named["registration_type"] == "离婚") & (named["ordering_date"] < named["registered_on"])
    valid = named.loc[right_kind & same_people.fillna(False) & earlier, "registration_id"]
    failing = ~referring.index.isin(valid)
    return acts.index.to_series().isin(referring.index[failing])


def m08(acts: pd.DataFrame) -> pd.Series:
    """证书字号: the form of its type, the office's county, the registration year, unique."""
    cert = acts["certificate_no"]
    parts = cert.str.extract(CERTIFICATE_FORM)
    has = cert.notna()
    wrong = has & parts[0].isna()
    wrong |= parts[0].notna() & ((parts[0] != acts["registration_type"].map(CERTIFICATE_PREFIX))
                                 | (parts[1] != acts["office_code"].str[:6])
                                 | (parts[2] != acts["registration_year"]))
    wrong |= has & (cert.map(cert.value_counts()) > 1)
    return wrong.fillna(False)


def m09(acts: pd.DataFrame, deaths: pd.Series) -> pd.Series:
    """Dates possible: not after the delivered month, not before a party's
    birth, not after a party's death (funeral-home records)."""
    late = acts["registered_on"] > sources.month_end(acts["period"])
    p = parties(acts)
    registered_month = p["registered_on"].dt.strftime("%Y-%m")
    before_birth = (registered_month < p["birth_month"]).fillna(False)
    after_death = (p["person"].map(deaths) < p["registered_on"]).fillna(False)
    return late | _any_party(before_birth | after_death, acts)


def _registrations_so_far(acts: pd.DataFrame, archive: pd.DataFrame, figs: Figures) -> None:
    """结婚 / 离婚 acts from January (all offices, electronic and archive). An
    archive act the electronic system also holds (same two people, day and
    type) counts once; one with an unreadable date has no month."""
    keys = ["man", "woman", "registered_on", "registration_type"]
    in_electronic = archive[keys].reset_index().merge(acts[keys].dropna(subset=["man", "woman"]).drop_duplicates(),
                                                      on=keys)["index"]
    archive_only = archive[~archive.index.isin(in_electronic) & archive["registered_on"].notna()]
    dated = pd.concat([acts[["registration_type", "registered_on"]],
                       archive_only[["registration_type", "registered_on"]]])
    dated = dated[dated["registration_type"].isin(["结婚", "离婚"])]
    counts = dated.groupby([dated["registered_on"].dt.year, "registration_type"]).size()
    for (year, kind), n in counts.items():
        figs.measure("marriages_ytd" if kind == "结婚" else "divorces_ytd", f"{year}-12", stock4(n))
