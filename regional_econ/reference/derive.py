"""Derive the platform's reference tables from the published files in ``shared/reference``.

Run ``python -m regional_econ.reference.derive [SOURCE_DIR]``; it rewrites the derived CSVs
beside this file. The outputs are committed so the platform never needs the sources at run
time; ``tests/test_reference.py`` re-derives them and fails if they drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
# The published files, vendored unchanged beside this module (provenance in sources/README.md).
DEFAULT_SOURCE = Path(__file__).resolve().parent / "sources"

# Romanized names (Revised Romanization, as the Ministry of the Interior publishes them).
ENGLISH = {
    "수원시": "Suwon-si",
    "성남시": "Seongnam-si",
    "의정부시": "Uijeongbu-si",
    "안양시": "Anyang-si",
    "부천시": "Bucheon-si",
    "광명시": "Gwangmyeong-si",
    "평택시": "Pyeongtaek-si",
    "동두천시": "Dongducheon-si",
    "안산시": "Ansan-si",
    "고양시": "Goyang-si",
    "과천시": "Gwacheon-si",
    "구리시": "Guri-si",
    "남양주시": "Namyangju-si",
    "오산시": "Osan-si",
    "시흥시": "Siheung-si",
    "군포시": "Gunpo-si",
    "의왕시": "Uiwang-si",
    "하남시": "Hanam-si",
    "용인시": "Yongin-si",
    "파주시": "Paju-si",
    "이천시": "Icheon-si",
    "안성시": "Anseong-si",
    "김포시": "Gimpo-si",
    "화성시": "Hwaseong-si",
    "광주시": "Gwangju-si",
    "양주시": "Yangju-si",
    "포천시": "Pocheon-si",
    "여주시": "Yeoju-si",
    "연천군": "Yeoncheon-gun",
    "가평군": "Gapyeong-gun",
    "양평군": "Yangpyeong-gun",
    "장안구": "Jangan-gu",
    "권선구": "Gwonseon-gu",
    "팔달구": "Paldal-gu",
    "영통구": "Yeongtong-gu",
    "수정구": "Sujeong-gu",
    "중원구": "Jungwon-gu",
    "분당구": "Bundang-gu",
    "만안구": "Manan-gu",
    "동안구": "Dongan-gu",
    "상록구": "Sangnok-gu",
    "단원구": "Danwon-gu",
    "덕양구": "Deogyang-gu",
    "일산동구": "Ilsandong-gu",
    "일산서구": "Ilseo-gu",
    "처인구": "Cheoin-gu",
    "기흥구": "Giheung-gu",
    "수지구": "Suji-gu",
    "원미구": "Wonmi-gu",
    "소사구": "Sosa-gu",
    "오정구": "Ojeong-gu",
}
ENGLISH["일산서구"] = "Ilsanseo-gu"

# Bucheon's gu were abolished in 2016 and reinstated on 2024-01-01 (codes of the 2024 table;
# they are not in the 2021 code table we derive from, so they are declared here).
BUCHEON_GU_2024 = [("41192", "부천시 원미구"), ("41194", "부천시 소사구"), ("41196", "부천시 오정구")]
BUCHEON_GU_ABOLISHED = "2016-07-04"
BUCHEON_GU_REINSTATED = "2024-01-01"

CATEGORY_ENGLISH = {
    "가구": "Furniture",
    "건강식품": "Health foods",
    "건축자재": "Building materials",
    "광학제품": "Optical goods",
    "기타": "Other",
    "기타의료기관": "Other medical institutions",
    "농업": "Agriculture",
    "레저업소": "Leisure venues",
    "레져용품": "Leisure goods",
    "문화.취미": "Culture and hobbies",
    "병원": "Hospitals",
    "보건위생": "Health and hygiene",
    "사무통신": "Office and telecom",
    "서적문구": "Books and stationery",
    "수리서비스": "Repair services",
    "숙박업": "Lodging",
    "신변잡화": "Personal accessories",
    "약국": "Pharmacies",
    "여행": "Travel",
    "연료판매점": "Fuel retail",
    "용역 서비스": "Contract services",
    "유통업 비영리": "Retail (non-profit)",
    "유통업 영리": "Retail (for-profit)",
    "음료식품": "Food and beverages",
    "의류": "Clothing",
    "의원": "Clinics",
    "일반휴게음식": "Restaurants and cafes",
    "자동차정비 유지": "Car repair and upkeep",
    "자동차판매": "Car sales",
    "전기제품": "Electrical goods",
    "주방용구": "Kitchenware",
    "직물": "Textiles",
    "학원": "Private academies",
    "회원제형태": "Membership stores",
}

# The 31 si/gun currencies. Product names come from the 2019 portal where it lists them;
# the seven the portal does not list carry the name the issuing city uses.
CURRENCY_FROM_PORTAL = {
    "수원페이": "41110",
    "부천페이": "41190",
    "고양페이카드": "41280",
    "과천화폐 과천토리": "41290",
    "광명사랑화폐": "41210",
    "광주사랑카드": "41610",
    "구리사랑카드": "41310",
    "군포愛머니": "41410",
    "동두천사랑카드": "41250",
    "안산사랑상품권 다온": "41270",
    "안성사랑카드": "41550",
    "양주사랑카드": "41630",
    "양평통보": "41830",
    "여주사랑카드": "41670",
    "연천사랑상품권": "41800",
    "오산화폐 오색전": "41370",
    "용인와이페이": "41460",
    "의정부사랑카드": "41150",
    "이천사랑지역화폐": "41500",
    "파주 Pay(파주페이)": "41480",
    "하남하머니": "41450",
    "행복화성지역화폐": "41590",
    "가평사랑상품권": "41820",
    "Thank You Pay-N": "41360",  # Namyangju's currency (108,377 of its 108,420 payments are in Namyangju)
}
# Variants of a listed product that the portal reports separately.
CURRENCY_ALIASES = {"행복화성지역화폐_화이트": "41590"}
CURRENCY_NOT_IN_PORTAL = {
    "41130": "성남사랑상품권",
    "41170": "안양사랑페이",
    "41220": "평택사랑상품권",
    "41390": "시흥화폐 시루",
    "41430": "의왕사랑상품권",
    "41570": "김포페이",
    "41650": "포천사랑상품권",
}

AGE_BAND_FROM_PORTAL = {"90": "90+"}


def _portal(source: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(source / name, infer_schema=False)


def derive_areas(source: Path) -> pl.DataFrame:
    bjd = pl.read_csv(source / "bjd_codes_gyeonggi_2021.tsv", separator="\t", infer_schema=False)
    sigungu = (
        bjd.filter(pl.col("code").str.ends_with("00000") & (pl.col("status") == "존재"))
        .with_columns(sigungu_cd=pl.col("code").str.slice(0, 5), name_ko=pl.col("name").str.strip_prefix("경기도 "))
        .filter(pl.col("sigungu_cd") != "41000")
        # 평택시 appears twice (41220 in use, 41330 abolished); keep codes in use only.
        .select("sigungu_cd", "name_ko")
    )
    portal_names = set(_portal(source, "portal2019_spending_by_gender.csv")["시군구명"].unique())
    rows = []
    for code, name in sigungu.iter_rows():
        parts = name.split(" ")
        is_gu = len(parts) == 2
        has_gu = not is_gu and any(n.startswith(name + " ") for n in sigungu["name_ko"])
        rows.append(
            {
                "sigungu_cd": code,
                "name_ko": name,
                "name_en": " ".join(ENGLISH[p] for p in parts),
                "si_cd": code[:4] + "0" if is_gu else code,
                "level": "gu" if is_gu else ("si" if name.endswith("시") else "gun"),
                # A leaf is an area records are coded to; a si split into gu is not.
                "is_leaf": not has_gu,
                "valid_from": None,
                "valid_to": None,
                "in_portal_2019": name in portal_names,
            }
        )
    for code, name in BUCHEON_GU_2024:
        rows.append(
            {
                "sigungu_cd": code,
                "name_ko": name,
                "name_en": " ".join(ENGLISH[p] for p in name.split(" ")),
                "si_cd": "41190",
                "level": "gu",
                "is_leaf": True,
                "valid_from": BUCHEON_GU_REINSTATED,
                "valid_to": None,
                "in_portal_2019": False,
            }
        )
    areas = pl.DataFrame(rows).sort("sigungu_cd")
    # Bucheon was a leaf between the abolition and the reinstatement of its gu.
    areas = areas.with_columns(
        valid_from=pl.when(pl.col("sigungu_cd") == "41190").then(pl.lit(BUCHEON_GU_ABOLISHED)).otherwise("valid_from"),
        valid_to=pl.when(pl.col("sigungu_cd") == "41190").then(pl.lit("2023-12-31")).otherwise("valid_to"),
    )
    missing = portal_names - set(areas["name_ko"])
    assert not missing, f"portal areas without a code: {missing}"
    return areas


def derive_categories(source: Path) -> pl.DataFrame:
    names = sorted(_portal(source, "portal2019_spending_by_gender.csv")["가맹점업종명"].unique())
    return pl.DataFrame(
        {
            "category_cd": [f"C{i:02d}" for i in range(1, len(names) + 1)],
            "name_ko": names,
            "name_en": [CATEGORY_ENGLISH[n] for n in names],
        }
    )


def derive_currencies(areas: pl.DataFrame) -> pl.DataFrame:
    names = {code: name for name, code in CURRENCY_FROM_PORTAL.items()} | CURRENCY_NOT_IN_PORTAL
    cities = areas.filter(pl.col("level") != "gu").select(
        currency_cd="sigungu_cd", issuer_sigungu_cd="sigungu_cd", issuer_name_ko="name_ko"
    )
    return cities.with_columns(
        product_name_ko=pl.col("currency_cd").replace_strict(names),
        in_portal_2019=pl.col("currency_cd").is_in(list(CURRENCY_FROM_PORTAL.values())),
    ).sort("currency_cd")


def _area_codes(areas: pl.DataFrame) -> pl.DataFrame:
    return areas.filter(pl.col("in_portal_2019")).select("sigungu_cd", 시군구명="name_ko")


def derive_spending_share(source: Path, areas: pl.DataFrame, categories: pl.DataFrame) -> pl.DataFrame:
    raw = _portal(source, "portal2019_spending_by_gender.csv")
    out = (
        raw.join(_area_codes(areas), on="시군구명", how="left", validate="m:1")
        .join(categories.select("category_cd", 가맹점업종명="name_ko"), on="가맹점업종명", how="left")
        .group_by("sigungu_cd", "category_cd", gender="성별코드")
        .agg(amount_krw=pl.col("총결제금액").cast(pl.Int64).sum())
        .with_columns(share=pl.col("amount_krw") / pl.col("amount_krw").sum())
        .sort("sigungu_cd", "category_cd", "gender")
    )
    assert out["sigungu_cd"].null_count() == 0 and out["category_cd"].null_count() == 0
    return out


def derive_area_month(source: Path, areas: pl.DataFrame) -> pl.DataFrame:
    """Payment amounts by area and month: which cities had joined, month by month."""
    raw = _portal(source, "portal2019_spending_by_gender.csv")
    return (
        raw.join(_area_codes(areas), on="시군구명", how="left", validate="m:1")
        .with_columns(month=pl.col("년월").str.slice(0, 7))
        .group_by("sigungu_cd", "month")
        .agg(amount_krw=pl.col("총결제금액").cast(pl.Int64).sum())
        .sort("sigungu_cd", "month")
    )


def derive_age_usage(source: Path, areas: pl.DataFrame) -> pl.DataFrame:
    raw = _portal(source, "portal2019_usage_by_age.csv")
    return (
        raw.join(_area_codes(areas), on="시군구명", how="left")
        .with_columns(age_band=pl.col("연령대코드").replace(AGE_BAND_FROM_PORTAL))
        .group_by("sigungu_cd", "age_band")
        .agg(payments=pl.col("사용빈도").cast(pl.Int64).sum())
        .with_columns(share=pl.col("payments") / pl.col("payments").sum().over("sigungu_cd"))
        .sort("sigungu_cd", "age_band")
    )


def derive_currency_usage(source: Path, areas: pl.DataFrame) -> pl.DataFrame:
    """Share of payments at each area made with each city's currency (other cities' included)."""
    raw = _portal(source, "portal2019_usage_by_age.csv")
    products = CURRENCY_FROM_PORTAL | CURRENCY_ALIASES
    return (
        raw.filter(pl.col("결제상품명").is_in(list(products)))  # drops non-currency gift cards
        .join(_area_codes(areas), on="시군구명", how="left")
        .with_columns(currency_cd=pl.col("결제상품명").replace_strict(products))
        .group_by("sigungu_cd", "currency_cd")
        .agg(payments=pl.col("사용빈도").cast(pl.Int64).sum())
        .with_columns(share=pl.col("payments") / pl.col("payments").sum().over("sigungu_cd"))
        .sort("sigungu_cd", "currency_cd")
    )


def derive_all(source: Path = DEFAULT_SOURCE) -> dict[str, pl.DataFrame]:
    areas = derive_areas(source)
    categories = derive_categories(source)
    return {
        "areas": areas,
        "merchant_categories": categories,
        "currencies": derive_currencies(areas),
        "calibration_spending_share": derive_spending_share(source, areas, categories),
        "calibration_area_month": derive_area_month(source, areas),
        "calibration_age_usage": derive_age_usage(source, areas),
        "calibration_currency_usage": derive_currency_usage(source, areas),
    }


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    source = Path(argv[0]) if argv else DEFAULT_SOURCE
    for name, frame in derive_all(source).items():
        frame.write_csv(HERE / f"{name}.csv")
        print(f"{name}: {frame.height} rows")


if __name__ == "__main__":
    main()
