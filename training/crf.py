"""``planex train --crf``: a linear-chain CRF over the classifier's logits, trained by its negative log-likelihood.

No maintained CRF package exists on PyPI (``pytorch-crf`` last released in 2019), and the whole of it
is the forward algorithm below. Serving never imports this module: the learned scores are saved as
``crf.safetensors`` (:mod:`planex.crf`), which numpy decodes.
"""

from __future__ import annotations

import numpy as np
import torch

from planex.crf import CrfScores, iob2_allowed
from training.data import IGNORE


class CrfHead(torch.nn.Module):
    """Transition ``[T, T]``, start ``[T]`` and end ``[T]`` scores; IOB2's impossible ones fixed at ``-inf``."""

    def __init__(self, tags: tuple[str, ...]):
        super().__init__()
        self.tags = tuple(tags)
        n = len(tags)
        self.transitions = torch.nn.Parameter(torch.zeros(n, n))
        self.start = torch.nn.Parameter(torch.zeros(n))
        self.end = torch.nn.Parameter(torch.zeros(n))
        allowed, first = iob2_allowed(tags)
        inf = torch.tensor(-np.inf)
        self.register_buffer("trans_mask", torch.where(torch.from_numpy(allowed), 0.0, inf))
        self.register_buffer("start_mask", torch.where(torch.from_numpy(first), 0.0, inf))

    def scores(self) -> CrfScores:
        """The learned scores as numpy arrays (forbidden ones ``-inf``), ready to decode or save."""
        with torch.no_grad():
            trans = (self.transitions + self.trans_mask).double().cpu().numpy()
            start = (self.start + self.start_mask).double().cpu().numpy()
            return CrfScores(self.tags, trans, start, self.end.double().cpu().numpy())

    def nll(self, emissions: torch.Tensor, labels: torch.Tensor, edges: torch.Tensor | None = None) -> torch.Tensor:
        """Mean negative log-likelihood per labelled token of the gold tag paths.

        ``emissions [B, L, T]`` and ``labels [B, L]`` (``IGNORE`` where a token has no label: special
        tokens, padding; such tokens are skipped, so the tokens on either side become neighbours).
        ``edges [B, 2]``: whether a window's first and last tokens are its document's; the start and end
        scores (and the rule that nothing starts with ``I-X``) apply only there, since a training window
        may begin or end inside a span. ``None``: every window is a whole document.
        """
        mask = labels != IGNORE
        keep = mask.any(1)
        emissions, labels, mask = emissions[keep], labels[keep], mask[keep]
        if edges is not None:
            edges = edges[keep]
        if not len(labels):
            return emissions.sum() * 0.0
        # Labelled tokens to the front of each row, in order (a stable sort of "unlabelled" flags).
        order = torch.sort((~mask).to(torch.int8), dim=1, stable=True).indices
        mask = mask.gather(1, order)
        tags = torch.where(mask, labels.gather(1, order), 0)  # 0 is O: finite next to any tag
        em = emissions.float().gather(1, order.unsqueeze(2).expand(-1, -1, emissions.shape[2]))
        trans = self.transitions + self.trans_mask
        if edges is None:
            edges = torch.ones(len(labels), 2, dtype=torch.bool, device=labels.device)
        start = torch.where(edges[:, :1], (self.start + self.start_mask).unsqueeze(0), 0.0)  # [B, T]
        end = torch.where(edges[:, 1:], self.end.unsqueeze(0), 0.0)
        lengths = mask.sum(1)
        rows = torch.arange(len(labels), device=labels.device)
        last = tags[rows, lengths - 1]

        alpha = start + em[:, 0]
        for i in range(1, em.shape[1]):
            step = torch.logsumexp(alpha.unsqueeze(2) + trans, dim=1) + em[:, i]
            alpha = torch.where(mask[:, i : i + 1], step, alpha)
        log_z = torch.logsumexp(alpha + end, dim=1)

        gold = start.gather(1, tags[:, :1]).squeeze(1) + end.gather(1, last.unsqueeze(1)).squeeze(1)
        gold = gold + torch.where(mask, em.gather(2, tags.unsqueeze(2)).squeeze(2), 0.0).sum(1)
        steps = trans[tags[:, :-1], tags[:, 1:]]
        gold = gold + torch.where(mask[:, 1:], steps, 0.0).sum(1)
        return (log_z - gold).sum() / lengths.sum()
