"""The catalogue of the demo warehouse: suppliers, categories and product families.

Plain data, no database. Product names are Swedish, as a small Scandinavian
warehouse's own catalogue would be; they are data, not interface text, so they are not
translated. Prices are whole öre (integers) so that no float ever becomes money.
"""

from __future__ import annotations

from dataclasses import dataclass

# Monthly demand factors (January first); 1.0 means no seasonality.
SEASONS: dict[str, tuple[float, ...]] = {
    "": (1.0,) * 12,
    "summer": (0.2, 0.25, 0.5, 1.2, 2.0, 2.3, 2.1, 1.3, 0.6, 0.3, 0.2, 0.2),
    "winter": (2.2, 1.9, 1.1, 0.4, 0.1, 0.05, 0.05, 0.1, 0.3, 0.9, 1.7, 2.4),
    "christmas": (0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.6, 2.5, 5.0),
}


@dataclass(frozen=True)
class SupplierSpec:
    """A demo supplier; ``gs1_company`` is the 4 digits after the Swedish 7350 prefix."""

    code: str
    name: str
    email: str
    address: str
    lead_time_days: int
    min_order_value_ore: int
    gs1_company: str


@dataclass(frozen=True)
class Family:
    """Products that differ only by size or variant, e.g. wood screws of five lengths.

    ``cost_ore`` is today's purchase price of the first variant; each further variant
    costs ``step_pct`` percent more than the one before. ``step`` is the smallest
    quantity sold ("1" for pieces, "0.1" for metres and kilograms).
    """

    base: str
    variants: tuple[str, ...]
    cost_ore: int
    unit: str = "pcs"
    step_pct: int = 25
    season: str = ""
    packs: tuple[int, ...] = (1,)
    shelf_life_days: int | None = None
    step: str = "1"


@dataclass(frozen=True)
class Category:
    """A product group, the suppliers it is bought from and how fast it usually sells."""

    name: str
    sku_prefix: str
    suppliers: tuple[str, ...]
    families: tuple[Family, ...]
    lot_tracked: bool = False
    # Weights of the velocity classes fast / medium / slow / dead.
    velocity: tuple[int, int, int, int] = (15, 40, 33, 12)


SUPPLIERS: tuple[SupplierSpec, ...] = (
    SupplierSpec(
        "NORDJARN",
        "Nordisk Järn & Fäst AB",
        "order@nordiskjarn.example",
        "Industrigatan 12, 415 05 Göteborg",
        5,
        150_000,
        "0412",
    ),
    SupplierSpec(
        "ELGROSS",
        "Elgrossen Norr AB",
        "inkop@elgrossen.example",
        "Kabelvägen 3, 903 27 Umeå",
        3,
        100_000,
        "0587",
    ),
    SupplierSpec(
        "RENTFINT",
        "Rent & Fint Grossist AB",
        "kundservice@rentfint.example",
        "Tvättarvägen 8, 212 35 Malmö",
        4,
        80_000,
        "0633",
    ),
    SupplierSpec(
        "SKYDDAB",
        "Skyddsbolaget Sverige AB",
        "order@skyddsbolaget.example",
        "Verkstadsgatan 21, 632 20 Eskilstuna",
        10,
        200_000,
        "0719",
    ),
    SupplierSpec(
        "PACKKONT",
        "Pack & Kontor Svea AB",
        "order@packkontor.example",
        "Lådgatan 5, 753 23 Uppsala",
        2,
        50_000,
        "0801",
    ),
    SupplierSpec(
        "FARGLIM",
        "Färg & Lim Nordic AB",
        "inkop@farglim.example",
        "Penselvägen 14, 602 28 Norrköping",
        14,
        300_000,
        "0925",
    ),
    SupplierSpec(
        "LIVSMAL",
        "Livs & Dryck Mälardalen AB",
        "order@livsmal.example",
        "Kvarngatan 2, 722 12 Västerås",
        3,
        120_000,
        "1048",
    ),
    SupplierSpec(
        "TRADGARD",
        "Trädgårdshallen Skåne AB",
        "order@tradgardshallen.example",
        "Plantskolevägen 40, 291 59 Kristianstad",
        21,
        500_000,
        "1163",
    ),
)

CATEGORIES: tuple[Category, ...] = (
    Category(
        "Fästelement",
        "FAS",
        ("NORDJARN",),
        (
            Family(
                "Träskruv förzinkad",
                (
                    "3,5x30 200-p",
                    "4,0x40 200-p",
                    "4,5x50 200-p",
                    "5,0x60 100-p",
                    "5,0x80 100-p",
                    "6,0x100 50-p",
                ),
                4_900,
                "pack",
                15,
                packs=(1, 10),
            ),
            Family(
                "Maskinskruv M6 förzinkad",
                ("16 mm 100-p", "25 mm 100-p", "40 mm 50-p"),
                5_900,
                "pack",
                20,
                packs=(1, 10),
            ),
            Family(
                "Mutter M6-M12 rostfri",
                ("M6 100-p", "M8 100-p", "M10 50-p", "M12 50-p"),
                6_900,
                "pack",
                20,
                packs=(1, 10),
            ),
            Family(
                "Bricka förzinkad",
                ("M6 200-p", "M8 200-p", "M10 100-p"),
                3_900,
                "pack",
                15,
                packs=(1, 10),
            ),
            Family(
                "Trådspik blank",
                ("40 mm 1 kg", "60 mm 1 kg", "75 mm 1 kg", "100 mm 1 kg"),
                6_500,
                "pack",
                10,
                packs=(1, 12),
            ),
            Family(
                "Expander nylon",
                ("6 mm 100-p", "8 mm 100-p", "10 mm 50-p"),
                5_400,
                "pack",
                15,
                packs=(1, 10),
            ),
            Family("Gängstång förzinkad 1 m", ("M8", "M10", "M12"), 2_900, step_pct=30),
            Family(
                "Vinkelbeslag galvat",
                ("40x40", "60x60", "90x90"),
                1_200,
                step_pct=40,
                packs=(1, 25),
            ),
            Family(
                "Gipsskruv fosfaterad",
                ("3,9x25 1000-p", "3,9x35 1000-p"),
                14_900,
                "pack",
                20,
                packs=(1, 6),
            ),
            Family("Trallskruv rostfri A2", ("4,2x55 250-p", "4,8x75 250-p"), 29_900, "pack", 30),
            Family("Popnit aluminium", ("4,0x8 100-p", "4,8x12 100-p"), 6_900, "pack", 20),
        ),
        velocity=(25, 45, 22, 8),
    ),
    Category(
        "Handverktyg",
        "VKT",
        ("NORDJARN", "SKYDDAB"),
        (
            Family("Snickarhammare", ("450 g", "600 g", "750 g"), 18_900, step_pct=15),
            Family("Slägga", ("1,5 kg", "3 kg"), 24_900, step_pct=40),
            Family("Skruvmejsel", ("PH1", "PH2", "PZ2", "Spår 5,5", "Spår 8"), 3_900, step_pct=5),
            Family("Bitssats 32 delar", ("standard", "slagtålig"), 14_900, step_pct=60),
            Family("Kombinationstång", ("160 mm", "200 mm"), 12_900, step_pct=20),
            Family("Tumstock trä", ("2 m",), 5_900),
            Family("Måttband", ("3 m", "5 m", "8 m"), 6_900, step_pct=30),
            Family("Brytjärn", ("400 mm", "600 mm", "900 mm"), 9_900, step_pct=35),
            Family("Bågfil", ("300 mm",), 11_900),
            Family("Vattenpass aluminium", ("60 cm", "100 cm", "180 cm"), 14_900, step_pct=45),
            Family("Gummihammare", ("vit 450 g", "svart 680 g"), 9_900, step_pct=20),
            Family("Stämjärn", ("12 mm", "18 mm", "25 mm"), 11_900, step_pct=10),
            Family("Insexnyckelsats", ("9 delar",), 8_900),
            Family('Hylsnyckelsats 1/2"', ("24 delar",), 69_900),
            Family("Kniv universal", ("18 mm", "9 mm"), 4_900, step_pct=-20, packs=(1, 12)),
        ),
        velocity=(5, 30, 45, 20),
    ),
    Category(
        "Elmaterial",
        "ELM",
        ("ELGROSS",),
        (
            Family(
                "Batteri alkaliskt",
                ("AA 4-p", "AAA 4-p", "C 2-p", "D 2-p", "9V 1-p"),
                3_900,
                "pack",
                10,
                packs=(1, 12, 24),
            ),
            Family(
                "LED-lampa",
                ("E27 806 lm", "E27 1521 lm", "E14 470 lm", "GU10 345 lm"),
                2_900,
                step_pct=15,
                packs=(1, 12),
            ),
            Family("Skarvsladd jordad", ("3 m", "5 m", "10 m"), 7_900, step_pct=35),
            Family("Grenuttag 4-vägs", ("med brytare", "utan brytare"), 8_900, step_pct=-15),
            Family(
                "Installationskabel EKK", ("3G1,5", "3G2,5", "5G1,5"), 1_100, "m", 40, step="0.1"
            ),
            Family(
                "Kabelstrips svart",
                ("200 mm 100-p", "300 mm 100-p", "450 mm 100-p"),
                2_900,
                "pack",
                30,
                packs=(1, 20),
            ),
            Family("Eltejp PVC", ("svart", "blå", "gul/grön"), 1_900, "roll", 0, packs=(1, 10)),
            Family("Ficklampa LED", ("kompakt", "uppladdningsbar"), 12_900, step_pct=80),
            Family("Pannlampa LED", ("250 lm",), 19_900),
            Family(
                "Säkring proppsäkring",
                ("10 A 10-p", "16 A 10-p", "20 A 10-p"),
                4_900,
                "pack",
                10,
                packs=(1, 10),
            ),
            Family("LED-rör T8", ("120 cm", "150 cm"), 9_900, step_pct=25, packs=(1, 10)),
            Family("Kopplingsdosa", ("IP44", "IP65"), 2_400, step_pct=50),
        ),
        velocity=(18, 42, 30, 10),
    ),
    Category(
        "Städ & rengöring",
        "STD",
        ("RENTFINT", "PACKKONT"),
        (
            Family("Allrengöring", ("1 l", "5 l"), 3_900, "pcs", 250, packs=(1, 6)),
            Family("Diskmedel", ("500 ml", "1 l"), 1_900, step_pct=70, packs=(1, 12)),
            Family("Golvmedel såpa", ("1 l", "5 l"), 4_900, step_pct=230, packs=(1, 6)),
            Family(
                "Sopsäck",
                ("125 l 10-p", "160 l 10-p", "240 l 10-p"),
                3_400,
                "pack",
                25,
                packs=(1, 20),
            ),
            Family(
                "Mikrofiberduk",
                ("blå 10-p", "röd 10-p", "grön 10-p", "gul 10-p"),
                8_900,
                "pack",
                0,
                packs=(1, 10),
            ),
            Family("Moppgarn", ("40 cm", "60 cm"), 7_900, step_pct=30),
            Family("Skurhink med vridare", ("15 l",), 14_900),
            Family("Glasrent", ("750 ml",), 2_900, packs=(1, 12)),
            Family("Avkalkningsmedel", ("1 l",), 5_900, packs=(1, 6)),
            Family("Diskhandske", ("S", "M", "L"), 2_400, "pair", 0, packs=(1, 12)),
            Family("Toalettrengöring", ("750 ml",), 2_900, packs=(1, 12)),
            Family("Skurborste", ("hand", "med skaft"), 3_900, step_pct=100),
            Family("Dammsugarpåse 10-p", ("typ A", "typ B", "typ C"), 9_900, "pack", 0),
            Family("Fönsterskrapa", ("35 cm",), 11_900),
        ),
        velocity=(25, 45, 22, 8),
    ),
    Category(
        "Hygien",
        "HYG",
        ("RENTFINT", "PACKKONT"),
        (
            Family(
                "Handtvål flytande",
                ("300 ml", "1 l refill", "5 l"),
                2_200,
                step_pct=120,
                packs=(1, 12),
            ),
            Family("Toalettpapper", ("8 rullar", "16 rullar", "64 rullar"), 4_400, "pack", 90),
            Family("Pappershandduk", ("2-p", "Z-vikt 4000 ark"), 3_900, "pack", 250),
            Family(
                "Handsprit 85 %", ("100 ml", "500 ml", "5 l"), 2_400, step_pct=150, packs=(1, 12)
            ),
            Family("Engångsmugg papper", ("21 cl 100-p",), 3_900, "pack", packs=(1, 20)),
            Family("Plåster", ("textil 40-p", "vattenfast 20-p"), 2_900, "pack", 10),
            Family("Servett 33x33 50-p", ("vit", "röd", "grön"), 2_400, "pack", 0, packs=(1, 20)),
            Family("Våtservetter", ("80-p",), 2_900, "pack", packs=(1, 12)),
            Family("Handkräm", ("250 ml",), 4_900, packs=(1, 12)),
            Family("Tvättmedel", ("kulör 2 kg", "vit 2 kg"), 8_900, "pcs", 0, packs=(1, 6)),
        ),
        velocity=(30, 40, 22, 8),
    ),
    Category(
        "Personligt skydd",
        "PPE",
        ("SKYDDAB", "NORDJARN"),
        (
            Family(
                "Nitrilhandske blå 100-p", ("S", "M", "L", "XL"), 8_900, "pack", 0, packs=(1, 10)
            ),
            Family("Arbetshandske läder", ("8", "9", "10", "11"), 5_900, "pair", 0, packs=(1, 12)),
            Family("Skyddsglasögon", ("klara", "tonade"), 4_900, step_pct=20),
            Family("Hörselskydd", ("SNR 27", "SNR 32"), 19_900, step_pct=45),
            Family(
                "Andningsskydd FFP2 10-p",
                ("utan ventil", "med ventil"),
                9_900,
                "pack",
                40,
                packs=(1, 20),
            ),
            Family("Varselväst klass 2", ("M/L", "XL/XXL"), 6_900, step_pct=5),
            Family("Skyddshjälm", ("vit", "gul", "blå"), 14_900, step_pct=0),
            Family("Knäskydd", ("standard",), 17_900),
            Family("Skyddssko S3", ("40", "41", "42", "43", "44", "45"), 59_900, "pair", 0),
            Family("Regnjacka PU", ("M", "L", "XL"), 29_900, step_pct=0),
        ),
        velocity=(12, 45, 33, 10),
    ),
    Category(
        "Kontor & förpackning",
        "KTR",
        ("PACKKONT",),
        (
            Family(
                "Kopieringspapper A4 80 g",
                ("500 ark", "2500 ark"),
                5_900,
                "pack",
                380,
                packs=(1, 5),
            ),
            Family(
                "Packtejp",
                ("brun 50 mm", "transparent 50 mm", "tyst 50 mm"),
                1_900,
                "roll",
                10,
                packs=(1, 36),
            ),
            Family(
                "Wellpapplåda",
                ("305x215x110", "430x300x200", "600x400x400"),
                900,
                step_pct=80,
                packs=(1, 25),
            ),
            Family(
                "Sträckfilm", ("500 mm 23 my", "500 mm 17 my"), 19_900, "roll", -10, packs=(1, 6)
            ),
            Family("Bubbelplast", ("50 cm x 100 m", "100 cm x 100 m"), 24_900, "roll", 90),
            Family("Fraktsedel etikett", ("100x150 500-p",), 14_900, "roll", packs=(1, 12)),
            Family(
                "Märkpenna permanent", ("svart", "blå", "röd"), 1_400, step_pct=0, packs=(1, 12)
            ),
            Family("Pärm A4", ("50 mm", "80 mm"), 3_900, step_pct=10, packs=(1, 10)),
            Family("Kulspetspenna 10-p", ("blå", "svart"), 3_900, "pack", 0, packs=(1, 20)),
            Family("Häftklammer 24/6", ("5000-p",), 1_900, "pack", packs=(1, 20)),
            Family("Kuvert", ("C4 250-p", "C5 500-p"), 19_900, "box", -10),
            Family("Streckkodsetikett 50x25", ("1000-p",), 12_900, "roll", packs=(1, 12)),
            Family("Kartongkniv", ("18 mm",), 3_900, packs=(1, 12)),
        ),
        velocity=(25, 45, 22, 8),
    ),
    Category(
        "Färg & lim",
        "FRG",
        ("FARGLIM",),
        (
            Family("Väggfärg matt vit", ("1 l", "3 l", "10 l"), 14_900, step_pct=150),
            Family("Målartejp", ("25 mm", "38 mm", "50 mm"), 3_900, "roll", 30, packs=(1, 24)),
            Family("Pensel", ("25 mm", "50 mm", "75 mm"), 2_900, step_pct=35),
            Family("Silikon sanitet", ("vit", "transparent"), 6_900, step_pct=0, packs=(1, 12)),
            Family("Trälim", ("inne 250 ml", "ute 750 ml"), 4_900, step_pct=80, packs=(1, 12)),
            Family("Fogskum", ("500 ml",), 8_900, packs=(1, 12)),
            Family("Sandpapper 10-p", ("K80", "K120", "K180", "K240"), 3_900, "pack", 0),
            Family("Roller 18 cm", ("med handtag",), 7_900),
            Family("Träolja", ("1 l",), 12_900),
            Family("Lasyr", ("vit 3 l", "svart 3 l", "röd 3 l"), 34_900, step_pct=0),
            Family("Spackel", ("250 ml", "1 l"), 4_900, step_pct=150, packs=(1, 12)),
        ),
        velocity=(8, 40, 37, 15),
    ),
    Category(
        "Trädgård & säsong",
        "TRG",
        ("TRADGARD",),
        (
            Family(
                "Gräsfrö lösvikt",
                ("bruksgräs", "sportgräs"),
                8_900,
                "kg",
                15,
                season="summer",
                step="0.1",
            ),
            Family(
                "Planteringsjord",
                ("20 l", "50 l"),
                3_900,
                step_pct=100,
                season="summer",
                packs=(1, 40),
            ),
            Family(
                "Grillkol", ("2,5 kg", "10 kg"), 4_900, step_pct=200, season="summer", packs=(1, 20)
            ),
            Family("Vattenslang", ("15 m", "25 m"), 19_900, step_pct=50, season="summer"),
            Family("Snöskyffel", ("plast", "aluminium"), 19_900, step_pct=40, season="winter"),
            Family("Vägsalt lösvikt", ("kvarts",), 1_200, "kg", season="winter", step="0.1"),
            Family("Isskrapa", ("med borste",), 3_900, season="winter", packs=(1, 24)),
            Family("Sandningssand", ("25 kg",), 6_900, season="winter", packs=(1, 40)),
            Family(
                "Marschall",
                ("60 min", "120 min"),
                1_900,
                step_pct=60,
                season="christmas",
                packs=(1, 24),
            ),
            Family("Sekatör", ("bypass",), 17_900, season="summer"),
            Family("Lövkratta", ("plast",), 12_900, season="summer"),
            Family("Blomsterjord", ("40 l",), 5_900, season="summer", packs=(1, 50)),
            Family("Fågelfrö", ("2 kg",), 3_900, season="winter", packs=(1, 10)),
            Family("Myggmedel", ("spray 100 ml",), 6_900, season="summer", packs=(1, 12)),
        ),
        velocity=(20, 45, 25, 10),
    ),
    Category(
        "Livsmedel",
        "LIV",
        ("LIVSMAL",),
        (
            Family(
                "Bryggkaffe mellanrost",
                ("450 g", "1 kg"),
                5_900,
                step_pct=110,
                packs=(1, 12),
                shelf_life_days=365,
            ),
            Family(
                "Te påsar",
                ("svart 100-p", "grönt 100-p", "rooibos 100-p"),
                4_900,
                "pack",
                10,
                shelf_life_days=540,
            ),
            Family(
                "Knäckebröd",
                ("råg 520 g", "tunt 275 g"),
                2_900,
                step_pct=-10,
                packs=(1, 12),
                shelf_life_days=270,
            ),
            Family("Havregryn", ("1,5 kg",), 2_900, packs=(1, 10), shelf_life_days=365),
            Family("Lingonsylt", ("400 g",), 3_400, packs=(1, 12), shelf_life_days=365),
            Family(
                "Pepparkakor",
                ("300 g", "750 g"),
                2_900,
                step_pct=120,
                season="christmas",
                packs=(1, 12),
                shelf_life_days=150,
            ),
            Family("Kex havre", ("250 g",), 1_900, packs=(1, 24), shelf_life_days=180),
            Family("Mjölk UHT", ("1 l",), 1_400, packs=(1, 12), shelf_life_days=60),
            Family("Smörgåsmargarin", ("600 g",), 3_200, shelf_life_days=45),
            Family(
                "Pasta",
                ("penne 1 kg", "spaghetti 1 kg"),
                1_900,
                step_pct=0,
                packs=(1, 12),
                shelf_life_days=540,
            ),
            Family("Ris jasmin", ("2 kg",), 4_400, packs=(1, 8), shelf_life_days=540),
            Family("Strösocker", ("2 kg",), 3_400, packs=(1, 10), shelf_life_days=720),
            Family(
                "Chokladkaka",
                ("mörk 200 g", "ljus 200 g"),
                2_900,
                step_pct=0,
                packs=(1, 20),
                shelf_life_days=300,
            ),
            Family("Nötmix", ("500 g",), 5_900, packs=(1, 10), shelf_life_days=240),
        ),
        lot_tracked=True,
        velocity=(25, 45, 22, 8),
    ),
    Category(
        "Dryck",
        "DRY",
        ("LIVSMAL",),
        (
            Family(
                "Mineralvatten",
                ("naturell 33 cl", "citron 33 cl", "naturell 1,5 l"),
                900,
                step_pct=60,
                packs=(1, 24),
                shelf_life_days=365,
            ),
            Family("Lingondricka koncentrat", ("1 l",), 3_900, packs=(1, 6), shelf_life_days=270),
            Family("Apelsinjuice", ("1 l",), 2_400, packs=(1, 12), shelf_life_days=45),
            Family("Havredryck", ("1 l",), 1_900, packs=(1, 12), shelf_life_days=90),
            Family(
                "Glögg alkoholfri",
                ("75 cl",),
                3_900,
                season="christmas",
                packs=(1, 12),
                shelf_life_days=730,
            ),
            Family(
                "Julmust",
                ("33 cl", "1,4 l"),
                900,
                step_pct=150,
                season="christmas",
                packs=(1, 24),
                shelf_life_days=240,
            ),
            Family(
                "Läsk",
                ("cola 33 cl", "apelsin 33 cl", "päron 33 cl"),
                800,
                step_pct=0,
                packs=(1, 24),
                shelf_life_days=270,
            ),
            Family("Äppelmust", ("1 l",), 2_400, packs=(1, 12), shelf_life_days=300),
            Family("Saft fläder", ("1 l",), 3_400, packs=(1, 6), shelf_life_days=365),
            Family("Energidryck", ("25 cl",), 1_100, packs=(1, 24), shelf_life_days=365),
        ),
        lot_tracked=True,
        velocity=(30, 40, 22, 8),
    ),
)
