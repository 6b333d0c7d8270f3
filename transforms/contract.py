"""The landing data contract (../shared/spec/data-contract.md) as code.

One home for what the municipality's exports contain: sources, entities, columns, their types,
keys and the code lists a value must come from. The generator writes files from this, ingestion
validates against it, and the dbt seeds are checked against it in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column types. Every landing column is text on disk; these say how it is parsed.
TEXT = "text"
INT = "int"
DATE = "date"
TIMESTAMP = "timestamp"
DECIMAL = "decimal"
BOOL = "bool"
CPR = "cpr"
MONTH = "month"  # YYYY-MM


@dataclass(frozen=True)
class Column:
    name: str
    type: str = TEXT
    required: bool = False
    codes: tuple[str, ...] | None = None  # allowed values, when the contract fixes them
    # numeric range (decimals): lowest and highest allowed value; low_open excludes the lowest
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    # dates: how many years after the extract date a value may lie (the contract: "Dates lie between
    # 1900 and one year after the extract date", every date column alike, an experiment's planned
    # end too: an export with a later one is rejected as date_out_of_range)
    years_ahead: int = 1


@dataclass(frozen=True)
class Entity:
    source: str
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # (start, end) column pairs where end must not come before start
    intervals: tuple[tuple[str, str], ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


# --- code lists -----------------------------------------------------------------------------

MAALGRUPPER: dict[str, str] = {
    "2.1": "Forsikrede ledige (dagpenge)",
    "2.2": "Jobparate kontanthjælpsmodtagere",
    "2.3": "Aktivitetsparate kontanthjælpsmodtagere",
    "2.6": "Sygedagpengemodtagere",
    "2.7": "Ledighedsydelsesmodtagere",
    "2.8": "Personer i fleksjob",
    "2.10": "Personer i jobafklaringsforløb",
    "2.11": "Personer i ressourceforløb",
    "2.12": "Uddannelsesparate uddannelseshjælpsmodtagere",
    "2.13": "Aktivitetsparate uddannelseshjælpsmodtagere",
}

AFSLUTNINGSAARSAGER: dict[str, str] = {
    "FLYTTET": "Flyttet",
    "FOERTIDSPENSION": "Førtidspension",
    "MAALGRUPPESKIFT": "Skift af målgruppe",
    "ORDINAER_UDDANNELSE": "Ordinær uddannelse",
    "ORDINAER_BESKAEFTIGELSE": "Ordinær beskæftigelse",
    "FLEKSJOB": "Fleksjob",
    "PENSION": "Pension",
    "DOED": "Død",
    "ANDET": "Andet",
}

INDSATSTYPER: dict[str, str] = {
    "VIRKSOMHEDSPRAKTIK": "Virksomhedspraktik",
    "LOENTILSKUD": "Løntilskud",
    "MENTOR": "Mentor",
    "VEJLEDNING_OPKVALIFICERING": "Vejledning og opkvalificering",
    "NYTTEINDSATS": "Nytteindsats",
    "SOCIAL": "Social indsats",
    "SUNDHED": "Sundhedsindsats",
    "ANDET": "Anden indsats",
}

SAMTALETYPER = ("FOERSTE", "JOBSAMTALE", "OPFOELGNING", "REHABILITERING")
SAMTALESTATUS = ("AFHOLDT", "AFLYST", "UDEBLEVET", "PLANLAGT")
PLANTYPER = ("JOBRETTET_PLAN", "MIN_PLAN", "INDSATSPLAN")

BOLIGTYPER: dict[str, str] = {
    "EGEN_BOLIG": "Egen bolig",
    "UDSLUSNINGSBOLIG": "Udslusningsbolig",
    "STARTBOLIG": "Startbolig",
    "DELEBOLIG": "Delebolig",
    "MIDLERTIDIG_BOLIG": "Midlertidig bolig",
    "BOTILBUD_107": "Botilbud § 107",
    "BOTILBUD_108": "Botilbud § 108",
    "FORSORGSHJEM_110": "Forsorgshjem § 110",
    "GADE": "Gade",
}

FRAFLYTNINGSAARSAGER: dict[str, str] = {
    "UDSAETTELSE": "Udsættelse",
    "FRIVILLIG_FRAFLYTNING": "Frivillig fraflytning",
    "FLYTTET_TIL_ANDEN_BOLIG": "Flyttet til anden bolig",
    "GENINDSKRIVNING_110": "Genindskrivning på forsorgshjem",
    "INDLAGT": "Indlagt",
    "FAENGSEL": "Fængsel",
    "DOED": "Død",
    "UKENDT": "Ukendt",
}

STOETTEMETODER: dict[str, str] = {
    "CTI": "Critical Time Intervention",
    "ICM": "Intensive Case Management",
    "ACT": "Assertive Community Treatment",
    "SEL85": "Bostøtte efter serviceloven § 85",
}

GRUPPER = ("INDSATS", "KONTROL")
OPERATORER = ("<=", ">=")

KPI_CODES = (
    "PASSIV_ANDEL",
    "TID_FOERSTE_SAMTALE",
    "TID_JOBRETTET_PLAN",
    "TID_AKTIV_INDSATS",
    "BOLIGFASTHOLDELSE_12M",
    "BOLIGFASTHOLDELSE_24M",
    "TID_TIL_BOLIG",
    "SAGSSTAMME",
    "AFSLUTNINGSAARSAG",
    "LOENTIMER_ANDEL",
    "RETTIDIGHED",
    "SAGSBEHANDLERSKIFT",
    "VIRKSOMHEDSRETTET_ANDEL",
    "AKTIV_PLAN_ANDEL",
    "SELVFORSOERGELSE",
)

# The 98 municipalities (kommunekode: navn).
KOMMUNER: dict[str, str] = {
    "101": "København", "147": "Frederiksberg", "151": "Ballerup", "153": "Brøndby",
    "155": "Dragør", "157": "Gentofte", "159": "Gladsaxe", "161": "Glostrup", "163": "Herlev",
    "165": "Albertslund", "167": "Hvidovre", "169": "Høje-Taastrup", "173": "Lyngby-Taarbæk",
    "175": "Rødovre", "183": "Ishøj", "185": "Tårnby", "187": "Vallensbæk", "190": "Furesø",
    "201": "Allerød", "210": "Fredensborg", "217": "Helsingør", "219": "Hillerød",
    "223": "Hørsholm", "230": "Rudersdal", "240": "Egedal", "250": "Frederikssund",
    "253": "Greve", "259": "Køge", "260": "Halsnæs", "265": "Roskilde", "269": "Solrød",
    "270": "Gribskov", "306": "Odsherred", "316": "Holbæk", "320": "Faxe", "326": "Kalundborg",
    "329": "Ringsted", "330": "Slagelse", "336": "Stevns", "340": "Sorø", "350": "Lejre",
    "360": "Lolland", "370": "Næstved", "376": "Guldborgsund", "390": "Vordingborg",
    "400": "Bornholm", "410": "Middelfart", "420": "Assens", "430": "Faaborg-Midtfyn",
    "440": "Kerteminde", "450": "Nyborg", "461": "Odense", "479": "Svendborg",
    "480": "Nordfyns", "482": "Langeland", "492": "Ærø", "510": "Haderslev", "530": "Billund",
    "540": "Sønderborg", "550": "Tønder", "561": "Esbjerg", "563": "Fanø", "573": "Varde",
    "575": "Vejen", "580": "Aabenraa", "607": "Fredericia", "615": "Horsens", "621": "Kolding",
    "630": "Vejle", "657": "Herning", "661": "Holstebro", "665": "Lemvig", "671": "Struer",
    "706": "Syddjurs", "707": "Norddjurs", "710": "Favrskov", "727": "Odder", "730": "Randers",
    "740": "Silkeborg", "741": "Samsø", "746": "Skanderborg", "751": "Aarhus",
    "756": "Ikast-Brande", "760": "Ringkøbing-Skjern", "766": "Hedensted", "773": "Morsø",
    "779": "Skive", "787": "Thisted", "791": "Viborg", "810": "Brønderslev",
    "813": "Frederikshavn", "820": "Vesthimmerlands", "825": "Læsø", "840": "Rebild",
    "846": "Mariagerfjord", "849": "Jammerbugt", "851": "Aalborg", "860": "Hjørring",
}


def _c(name: str, type_: str = TEXT, required: bool = False, codes=None, **range_) -> Column:
    return Column(name, type_, required, tuple(codes) if codes is not None else None, **range_)


_COMMON = (_c("opdateret", TIMESTAMP, required=True), _c("slettet", BOOL))
_KOMMUNE = _c("kommunekode", TEXT, required=True, codes=KOMMUNER)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        Entity(
            "jobcenter", "sagsbehandlere",
            (_c("sagsbehandler_id", required=True), _c("initialer"), _c("navn_team"), _KOMMUNE,
             _c("aarsvaerk", DECIMAL, low=0, high=1.5, low_open=True)) + _COMMON,
            key=("sagsbehandler_id",),
        ),
        Entity(
            "jobcenter", "forloeb",
            (_c("forloeb_id", required=True), _c("cpr", CPR, required=True), _KOMMUNE,
             _c("maalgruppe", required=True, codes=MAALGRUPPER), _c("startdato", DATE, True),
             _c("slutdato", DATE), _c("afslutningsaarsag", codes=AFSLUTNINGSAARSAGER),
             _c("ny_maalgruppe", codes=MAALGRUPPER), _c("sagsbehandler_id")) + _COMMON,
            key=("forloeb_id",), intervals=(("startdato", "slutdato"),),
        ),
        Entity(
            "jobcenter", "tildelinger",
            (_c("tildeling_id", required=True), _c("forloeb_id", required=True),
             _c("sagsbehandler_id", required=True), _c("fra", DATE, True), _c("til", DATE))
            + _COMMON,
            key=("tildeling_id",), intervals=(("fra", "til"),),
        ),
        Entity(
            "jobcenter", "indsatser",
            (_c("indsats_id", required=True), _c("forloeb_id", required=True),
             _c("cpr", CPR, required=True), _c("indsatstype", required=True, codes=INDSATSTYPER),
             _c("beskaeftigelsesrettet", BOOL, True), _c("startdato", DATE, True),
             _c("slutdato", DATE)) + _COMMON,
            key=("indsats_id",), intervals=(("startdato", "slutdato"),),
        ),
        Entity(
            "jobcenter", "samtaler",
            (_c("samtale_id", required=True), _c("forloeb_id", required=True),
             _c("cpr", CPR, required=True), _c("dato", DATE, True),
             _c("samtaletype", required=True, codes=SAMTALETYPER),
             _c("status", required=True, codes=SAMTALESTATUS)) + _COMMON,
            key=("samtale_id",),
        ),
        Entity(
            "jobcenter", "planer",
            (_c("plan_id", required=True), _c("forloeb_id", required=True),
             _c("cpr", CPR, required=True), _c("plantype", required=True, codes=PLANTYPER),
             _c("oprettet", DATE, True)) + _COMMON,
            key=("plan_id",),
        ),
        Entity(
            "jobcenter", "beskaeftigelse",
            (_c("cpr", CPR, required=True), _c("maaned", MONTH, True),
             _c("loentimer", DECIMAL, low=0, high=744), _c("uddannelse", BOOL)) + _COMMON,
            key=("cpr", "maaned"),
        ),
        Entity(
            "bolig", "boligforloeb",
            (_c("boligforloeb_id", required=True), _c("cpr", CPR, required=True), _KOMMUNE,
             _c("boligtype", required=True, codes=BOLIGTYPER), _c("indflytning", DATE, True),
             _c("fraflytning", DATE), _c("fraflytningsaarsag", codes=FRAFLYTNINGSAARSAGER),
             _c("huslejetilskud_kr_md", DECIMAL, low=0, high=20_000)) + _COMMON,
            key=("boligforloeb_id",), intervals=(("indflytning", "fraflytning"),),
        ),
        Entity(
            "bolig", "bostoette",
            (_c("stoette_id", required=True), _c("cpr", CPR, required=True),
             _c("metode", required=True, codes=STOETTEMETODER), _c("startdato", DATE, True),
             _c("slutdato", DATE)) + _COMMON,
            key=("stoette_id",), intervals=(("startdato", "slutdato"),),
        ),
        Entity(
            "forsoeg", "forsoeg",
            (_c("forsoeg_id", required=True), _c("titel", required=True), _c("netvaerk"),
             _c("kommunekoder"), _c("maalgruppe"), _c("startdato", DATE, True),
             _c("slutdato", DATE)) + _COMMON,
            key=("forsoeg_id",), intervals=(("startdato", "slutdato"),),
        ),
        Entity(
            "forsoeg", "forsoeg_maal",
            (_c("forsoeg_id", required=True), _c("kpi", required=True, codes=KPI_CODES),
             _c("operator", required=True, codes=OPERATORER), _c("vaerdi", DECIMAL, True))
            + _COMMON,
            key=("forsoeg_id", "kpi"),
        ),
        Entity(
            "forsoeg", "deltagere",
            (_c("forsoeg_id", required=True), _c("cpr", CPR, required=True),
             _c("gruppe", required=True, codes=GRUPPER), _c("indskrevet", DATE, True),
             _c("udskrevet", DATE)) + _COMMON,
            key=("forsoeg_id", "cpr"), intervals=(("indskrevet", "udskrevet"),),
        ),
    )
}

SOURCES: dict[str, tuple[str, ...]] = {}
for _e in ENTITIES.values():
    SOURCES.setdefault(_e.source, ())
    SOURCES[_e.source] += (_e.name,)


# A column whose header may be absent: a file without `slettet` deletes nothing.
OPTIONAL_COLUMNS = ("slettet",)


def landing_file_name(entity: str, extract_date, snapshot: bool = False) -> str:
    """`<entity>_<YYYYMMDD>.csv` (a delta) or `<entity>_<YYYYMMDD>_fuld.csv` (a full snapshot)."""
    return f"{entity}_{extract_date:%Y%m%d}{'_fuld' if snapshot else ''}.csv"
