"""PAdES signatures on result letters (pyHanko), with each unit's certificate.

Production puts a unit's key and certificate in CERT_DIR as <code>.key.pem / <code>.cert.pem
and the CAs to trust in CERT_DIR/trust/. `gongxin demo load` makes a demo CA and unit
certificates; nothing ever makes a certificate on the fly for signing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings


class SigningUnavailable(Exception):
    """The unit has no certificate: a Chinese message for staff."""


def _paths(code: str) -> tuple[Path, Path]:
    return settings.CERT_DIR / f"{code}.key.pem", settings.CERT_DIR / f"{code}.cert.pem"


def _name(common: str, unit: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit),
        x509.NameAttribute(NameOID.COMMON_NAME, common),
    ])  # fmt: skip


_USAGES = (
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
    "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only",
)  # fmt: skip


def _key_usage(*allowed: str) -> x509.KeyUsage:
    return x509.KeyUsage(**{usage: usage in allowed for usage in _USAGES})


def _write_key(path: Path, key) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))  # fmt: skip
    path.chmod(0o600)


def ensure_demo_certificates(units) -> list[str]:
    """A demo CA and a certificate for each unit that has none (demo and test homes only)."""
    trust = settings.CERT_DIR / "trust"
    trust.mkdir(parents=True, exist_ok=True)
    ca_key_path, ca_cert_path = settings.CERT_DIR / "demo-ca.key.pem", trust / "demo-ca.pem"
    now = dt.datetime.now(dt.UTC)  # wall clock: validity is checked against real time
    if not ca_cert_path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name("公信演示根证书", "公信演示")
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_key_usage("key_cert_sign", "crl_sign"), critical=True)
                .sign(key, hashes.SHA256()))  # fmt: skip
        _write_key(ca_key_path, key)
        ca_cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    made = []
    for unit in units:
        key_path, cert_path = _paths(unit.code)
        if cert_path.exists():
            continue
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(_name(unit.name, unit.name))
                .issuer_name(ca_cert.subject).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=1825))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(_key_usage("digital_signature", "content_commitment"), critical=True)
                .sign(ca_key, hashes.SHA256()))  # fmt: skip
        _write_key(key_path, key)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        made.append(unit.code)
    return made


def _signer(code: str):
    """The unit's signer, loaded again when its files change: a certificate renewed in the
    shared CERT_DIR (by this node or another) signs the next letter, without a restart."""
    key_path, cert_path = _paths(code)
    chain = tuple(sorted((settings.CERT_DIR / "trust").glob("*.pem")))
    stamps = []
    for path in (key_path, cert_path, *chain):
        try:
            st = path.stat()
        except FileNotFoundError:
            raise SigningUnavailable(
                "本单位的签名证书未配置，不能签发（请系统管理员配置证书）"
            ) from None
        stamps.append((str(path), st.st_ino, st.st_mtime_ns, st.st_size))
    return _load_signer(tuple(stamps))


@lru_cache(maxsize=64)
def _load_signer(stamps: tuple):
    from pyhanko.sign import signers

    (key_path, *_), (cert_path, *_), *chain = stamps
    return signers.SimpleSigner.load(key_path, cert_path, ca_chain_files=[c[0] for c in chain])


def sign(pdf: bytes, unit_code: str) -> bytes:
    """Sign the whole file (PAdES B-B); a later change to any byte breaks the signature."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="GongxinSignature", subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256", reason="查询结果复函签发",
    )  # fmt: skip
    return signers.sign_pdf(writer, meta, signer=_signer(unit_code)).getvalue()


@dataclass
class SignatureCheck:
    ok: bool
    reason: str  # Chinese
    signer: str = ""


def check_signature(pdf: bytes) -> SignatureCheck:
    """Is the file signed, unchanged since, by a certificate we trust?"""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.general import load_cert_from_pemder
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # a damaged file: pyHanko raises many kinds
        return SignatureCheck(False, "文件已损坏，无法读取")
    if not signatures:
        return SignatureCheck(False, "文件没有数字签名")
    roots = [load_cert_from_pemder(str(p)) for p in (settings.CERT_DIR / "trust").glob("*.pem")]
    try:
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=roots))
    except Exception:
        return SignatureCheck(False, "签名无法验证，文件可能已被改动")
    signer = status.signing_cert.subject.native.get("common_name", "")
    if not status.intact or not status.valid:
        return SignatureCheck(False, "签名与文件内容不符，文件已被改动", signer)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(False, "签名后文件又被追加或改动", signer)
    if not status.trusted:
        return SignatureCheck(False, "签名证书不受信任", signer)
    return SignatureCheck(True, "签名有效，文件自签发后未被改动", signer)


@dataclass(frozen=True)
class CertificateExpiry:
    """A certificate in CERT_DIR that ends soon (or has ended): which file, when."""

    name: str  # the file name (a unit's code, or a trusted CA)
    not_after: dt.datetime
    days_left: int


def certificates_expiring(now: dt.datetime, within_days: int = 30) -> list[CertificateExpiry]:
    """The signing and trusted certificates of CERT_DIR that end within ``within_days`` of
    ``now`` (ended ones too), soonest first: a letter cannot be signed with an ended one."""
    found = []
    paths = [*settings.CERT_DIR.glob("*.cert.pem"), *(settings.CERT_DIR / "trust").glob("*.pem")]
    for path in sorted(paths):
        try:
            cert = x509.load_pem_x509_certificate(path.read_bytes())
        except ValueError:
            continue  # not a certificate: signing says so when it is used
        left = cert.not_valid_after_utc - now
        if left <= dt.timedelta(days=within_days):
            found.append(CertificateExpiry(path.name, cert.not_valid_after_utc, left.days))
    return sorted(found, key=lambda c: c.not_after)
