"""Server settings, read from ``PLANEX_*`` environment variables in this one place."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from planex import paths
from planex.modelspec import DEFAULT_BATCH_SIZE
from planex.scheme import DEFAULT_SCHEME


class Settings(BaseSettings):
    """Every setting of ``planex serve``; each is also the environment variable ``PLANEX_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PLANEX_", extra="ignore")

    model_path: Path = Field(default=paths.MODELS / "default", description="planex model folder to serve")
    models_dir: Path = Field(
        default=paths.MODELS, description="folder of model versions that POST /v1/admin/reload can name"
    )
    scheme_path: Path = Field(
        default=DEFAULT_SCHEME, description="label scheme a served model must match; re-read at every reload"
    )
    feedback_dir: Path = Field(
        default=paths.LABELS / "feedback", description="folder where POST /v1/feedback writes corrections"
    )
    reload_timeout_s: float = Field(
        default=120.0, gt=0, description="seconds POST /v1/admin/reload waits for the new model (202 after)"
    )
    device: str | None = Field(default=None, description="cpu, cuda, cuda:1, mps; default: a GPU when present")
    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8000, ge=0, le=65535, description="port to listen on (0: any free port)")
    api_key: SecretStr | None = Field(
        default=None, description="when set, /v1/* routes need `Authorization: Bearer <key>`", min_length=1
    )
    allow_public_without_key: bool = Field(
        default=False, description="allow a non-loopback host without api_key (only behind a proxy that authenticates)"
    )
    max_chars: int = Field(default=200_000, ge=1, description="most characters in one text (413 above)")
    max_batch: int = Field(default=32, ge=1, description="most texts in one batch request")
    max_batch_chars: int = Field(default=1_000_000, ge=1, description="most characters in all texts of one batch")
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="largest request body in bytes (413 above)"
    )
    max_file_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="largest file POST /v1/extract/file takes, in bytes (413 above)"
    )
    max_pages: int = Field(default=300, ge=1, description="most pages of a PDF that POST /v1/extract/file reads")
    inference_threads: int = Field(
        default=2, ge=1, description="requests prepared and decoded at the same time (their forward passes share)"
    )
    forward_threads: int = Field(
        default=0, ge=0, description="threads running forward passes, from every request (0: one per CPU core)"
    )
    torch_threads: int = Field(
        default=1, ge=0, description="threads torch uses inside one forward pass (0: torch's default, the cores)"
    )
    precision: Literal["fp32", "int8", "onnx-int8"] = Field(
        default="onnx-int8",
        description="onnx-int8: the model exported at load and run by ONNX Runtime with dynamic int8 MatMuls "
        "(torch int8 where that fails); int8: torch's dynamic int8 Linear layers; fp32: as trained (README Speed)",
    )
    queue_size: int = Field(default=16, ge=0, description="requests that may wait for a thread; more get 429")
    window_tokens: int = Field(
        default=256, ge=8, le=512, description="tokens per window (capped by the model's max_length)"
    )
    batch_size: int = Field(default=DEFAULT_BATCH_SIZE, ge=1, description="windows per forward pass")
    log_level: str = Field(default="info", description="debug, info, warning or error")

    def is_loopback(self) -> bool:
        """Return whether ``host`` only accepts connections from this machine."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False  # a host name other than localhost may resolve to anything

    def check_bind(self) -> None:
        """Refuse to listen on a public address without an API key unless explicitly allowed."""
        if self.is_loopback() or self.api_key is not None or self.allow_public_without_key:
            return
        raise ValueError(
            f"refusing to listen on {self.host} without an API key: set PLANEX_API_KEY, or set "
            "PLANEX_ALLOW_PUBLIC_WITHOUT_KEY=1 if a proxy in front of the server authenticates requests"
        )
