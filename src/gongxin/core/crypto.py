"""Encryption at rest and blind indexes for personal data.

Two suites: ``gm`` (SM4-GCM + HMAC-SM3, the default, GM/T 0002 and 0004) and ``intl``
(AES-256-GCM + HMAC-SHA256). Every ciphertext carries the id of the key that made it, so keys
can rotate; the key file lives outside the database. Blind indexes are keyed hashes of the
normalised value, truncated to 16 bytes, used for exact look-ups without decrypting anything.

Ciphertext layout: version(1) | len(key id)(1) | key id | nonce(12) | ciphertext | tag(16).
The key id and a field context are bound as associated data, so a ciphertext copied into another
column or relabelled with another key id fails to decrypt.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT_VERSION = 1
NONCE_BYTES = 12
TAG_BYTES = 16
INDEX_BYTES = 16
SUITES = ("gm", "intl")


class KeyFileError(RuntimeError):
    """The key file is missing, unreadable or inconsistent."""


class DecryptionError(ValueError):
    """A ciphertext failed authentication or names an unknown key."""


@dataclass
class Key:
    """One data key: an encryption key and a separate index (MAC) key of one suite."""

    id: str
    suite: str
    enc_key: bytes
    mac_key: bytes
    created: str
    state: str = "active"  # active | pending (being rolled out by a rotation) | retired
    _mac_base: hmac.HMAC | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.suite not in SUITES:
            raise KeyFileError(f"未知的密码套件 {self.suite!r}")
        digest = hashes.SM3() if self.suite == "gm" else hashes.SHA256()
        self._mac_base = hmac.HMAC(self.mac_key, digest)
        self._aes = AESGCM(self.enc_key) if self.suite == "intl" else None
        self._sm4 = algorithms.SM4(self.enc_key) if self.suite == "gm" else None
        self._header = bytes([FORMAT_VERSION, len(self.id)]) + self.id.encode("ascii")

    def encrypt(self, plaintext: str, context: bytes) -> bytes:
        return self.encrypt_bytes(plaintext.encode("utf-8"), context)

    def encrypt_bytes(self, data: bytes, context: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = self._header + context
        if self._aes is not None:
            return self._header + nonce + self._aes.encrypt(nonce, data, aad)
        enc = Cipher(self._sm4, modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        body = enc.update(data) + enc.finalize()
        return self._header + nonce + body + enc.tag

    def decrypt_body(self, body: bytes, context: bytes) -> str:
        return self.decrypt_body_bytes(body, context).decode("utf-8")

    def decrypt_body_bytes(self, body: bytes, context: bytes) -> bytes:
        nonce, rest = body[:NONCE_BYTES], body[NONCE_BYTES:]
        aad = self._header + context
        try:
            if self._aes is not None:
                data = self._aes.decrypt(nonce, rest, aad)
            else:
                ct, tag = rest[:-TAG_BYTES], rest[-TAG_BYTES:]
                dec = Cipher(self._sm4, modes.GCM(nonce, tag)).decryptor()
                dec.authenticate_additional_data(aad)
                data = dec.update(ct) + dec.finalize()
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None
        return data

    def blind_index(self, value: str, context: bytes) -> bytes:
        mac = self._mac_base.copy()
        mac.update(context + b"\x00" + value.encode("utf-8"))
        return mac.finalize()[:INDEX_BYTES]

    def mac(self, data: bytes, context: bytes) -> bytes:
        """A full-length MAC of ``data`` for ``context`` (HMAC-SM3 or HMAC-SHA256): what a
        record kept outside the database carries, so it cannot be made without the key file."""
        mac = self._mac_base.copy()
        mac.update(context + b"\x00" + data)
        return mac.finalize()

    def fingerprint(self) -> str:
        """A value only this key gives (over both its parts), to recognise it without keeping
        it: the database records each key's fingerprint, so a key file from another
        installation, or a key regenerated under the same id, is noticed before it is used."""
        digest = hashlib.sha256(self.enc_key).hexdigest()
        return self.blind_index(digest, b"key.fingerprint").hex()

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "suite": self.suite,
            "enc_key": base64.b64encode(self.enc_key).decode(),
            "mac_key": base64.b64encode(self.mac_key).decode(),
            "created": self.created,
            "state": self.state,
        }


SM4_KAT = ("0123456789abcdeffedcba9876543210", "681edf34d206965e86b3e94f536e4246")  # GB/T 32907 A.1
SM3_KAT = (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")  # GB/T 32905


def self_test() -> None:
    """Known-answer tests of the SM4 and SM3 primitives, run before a key file is trusted.

    Raises RuntimeError when the cryptographic library computes something else (a broken or
    substituted build must never encrypt personal data).
    """
    key = bytes.fromhex(SM4_KAT[0])
    enc = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - one-block KAT
    if (enc.update(key) + enc.finalize()).hex() != SM4_KAT[1]:
        raise RuntimeError("SM4 known-answer test failed")
    digest = hashes.Hash(hashes.SM3())
    digest.update(SM3_KAT[0])
    if digest.finalize().hex() != SM3_KAT[1]:
        raise RuntimeError("SM3 known-answer test failed")


def new_key(suite: str = "gm", key_id: str | None = None) -> Key:
    if suite not in SUITES:
        raise KeyFileError(f"未知的密码套件 {suite!r}，可选：{'、'.join(SUITES)}")
    now = dt.datetime.now(dt.UTC)  # wall clock: when the key was really made
    return Key(
        id=key_id or f"k{now:%Y%m%d}{secrets.token_hex(3)}",
        suite=suite,
        enc_key=secrets.token_bytes(16 if suite == "gm" else 32),
        mac_key=secrets.token_bytes(32),
        created=now.isoformat(timespec="seconds"),
    )


class KeyRing:
    """All keys of one installation: one active key for new data, older ones for reading."""

    def __init__(self, keys: list[Key], path: Path | None = None):
        actives = [k for k in keys if k.state == "active"]
        if len(actives) != 1:
            raise KeyFileError(f"密钥文件中应恰有一个当前密钥，实有 {len(actives)} 个")
        self.keys = {k.id: k for k in keys}
        self.active = actives[0]
        self.path = path

    # --- file ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        try:
            raw = json.loads(Path(path).read_text("utf-8"))
            keys = [
                Key(
                    id=k["id"],
                    suite=k["suite"],
                    enc_key=base64.b64decode(k["enc_key"]),
                    mac_key=base64.b64decode(k["mac_key"]),
                    created=k["created"],
                    state=k["state"],
                )
                for k in raw["keys"]
            ]
        except FileNotFoundError:
            raise KeyFileError(f"找不到密钥文件 {path}（请先执行 gongxin init）") from None
        except (KeyError, ValueError, TypeError) as exc:
            raise KeyFileError(f"密钥文件 {path} 格式不正确（{type(exc).__name__}）") from None
        return cls(keys, Path(path))

    @classmethod
    def create(cls, path: Path, suite: str = "gm") -> KeyRing:
        ring = cls([new_key(suite)], Path(path))
        ring.save()
        return ring

    def save(self) -> None:
        """Write atomically with mode 0600: a crash never leaves a half-written key file."""
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(
            {"version": FORMAT_VERSION, "keys": [k.as_json() for k in self.keys.values()]},
            indent=2,
        )
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @property
    def pending(self) -> Key | None:
        return next((k for k in self.keys.values() if k.state == "pending"), None)

    def add_pending(self, key: Key) -> None:
        """Known for reading and searching, not yet used for new data (rotation step 1)."""
        key.state = "pending"
        self.keys[key.id] = key

    def promote(self, key_id: str) -> None:
        """Make a pending key the key for new data; the previous one is kept for reading."""
        self.active.state = "retired"
        self.active = self.keys[key_id]
        self.active.state = "active"

    # --- use ----------------------------------------------------------------------------

    def encrypt(self, plaintext: str, context: bytes) -> bytes:
        return self.active.encrypt(plaintext, context)

    def encrypt_bytes(self, data: bytes, context: bytes) -> bytes:
        return self.active.encrypt_bytes(data, context)

    def decrypt(self, blob: bytes, context: bytes) -> str:
        return self.decrypt_bytes(blob, context).decode("utf-8")

    def decrypt_bytes(self, blob: bytes, context: bytes) -> bytes:
        blob = bytes(blob)
        if len(blob) < 2 or blob[0] != FORMAT_VERSION:
            raise DecryptionError("unknown ciphertext format")
        end = 2 + blob[1]
        key = self.keys.get(blob[2:end].decode("ascii", "replace"))
        if key is None:
            raise DecryptionError("ciphertext names a key that is not in the key file")
        return key.decrypt_body_bytes(blob[end:], context)

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        blob = bytes(blob)
        return blob[2 : 2 + blob[1]].decode("ascii", "replace")

    def blind_index(self, value: str, context: bytes) -> bytes:
        """The index under the active key: what new rows store."""
        return self.active.blind_index(value, context)

    def search_indexes(self, value: str, context: bytes) -> list[bytes]:
        """Indexes under every key: a row written before or during a rotation is still found."""
        return [k.blind_index(value, context) for k in self.keys.values()]

    def get(self, key_id: str) -> Key:
        try:
            return self.keys[key_id]
        except KeyError:
            raise KeyFileError(f"有数据使用密钥 {key_id}，但密钥文件中没有该密钥") from None
