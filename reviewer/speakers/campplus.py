"""CAM++ speaker embeddings (3D-Speaker, Apache-2.0) as a pyannote.audio ``Model``.

The network follows the CAM++ paper (Wang et al., 2023, arXiv:2303.00332): a 2-D convolutional
front end over 80-band fbank features, densely connected TDNN blocks with context-aware masking,
statistics pooling and a 192-dimensional embedding. Layer names match the published
``campplus_cn_en_common.pt`` state dict, which is loaded strictly.

Imported only lazily (from ``reviewer.speakers.diarize``): it needs torch and pyannote.
"""
# ruff: noqa: TID253  (this module is itself imported lazily)

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from reviewer.speakers.pyannote_env import prepare_pyannote

prepare_pyannote()

from pyannote.audio.core.model import Model  # noqa: E402

EMBEDDING_DIM = 192
MEL_BINS = 80


def _bn_relu(channels: int) -> nn.Sequential:
    return nn.Sequential(OrderedDict(batchnorm=nn.BatchNorm1d(channels), relu=nn.ReLU(inplace=True)))


class _ResBlock2d(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=(stride, 1), bias=False),
                nn.BatchNorm2d(planes),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class _FrontEnd(nn.Module):
    """2-D convolutions over (frequency, time); frequency is reduced 8x."""

    def __init__(self, channels: int = 32, mel_bins: int = MEL_BINS) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(_ResBlock2d(channels, channels, 2), _ResBlock2d(channels, channels, 1))
        self.layer2 = nn.Sequential(_ResBlock2d(channels, channels, 2), _ResBlock2d(channels, channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.out_channels = channels * (mel_bins // 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, F, T)
        out = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
        out = self.layer2(self.layer1(out))
        out = F.relu(self.bn2(self.conv2(out)))
        b, c, f, t = out.shape
        return out.reshape(b, c * f, t)


class _TdnnLayer(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, kernel: int, stride: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(in_ch, out_ch, kernel, stride=stride, padding=kernel // 2, bias=False)
        self.nonlinear = _bn_relu(out_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear(self.linear(x))


class _CamLayer(nn.Module):
    """Context-aware masking: a local conv gated by utterance- and segment-level context."""

    def __init__(self, bn_ch: int, out_ch: int, kernel: int, dilation: int, seg_len: int = 100):
        super().__init__()
        pad = (kernel - 1) // 2 * dilation
        self.linear_local = nn.Conv1d(bn_ch, out_ch, kernel, padding=pad, dilation=dilation, bias=False)
        self.linear1 = nn.Conv1d(bn_ch, bn_ch // 2, 1)
        self.linear2 = nn.Conv1d(bn_ch // 2, out_ch, 1)
        self.seg_len = seg_len

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.linear_local(x)
        context = x.mean(-1, keepdim=True) + self._segment_mean(x)
        mask = torch.sigmoid(self.linear2(F.relu(self.linear1(context))))
        return y * mask

    def _segment_mean(self, x: torch.Tensor) -> torch.Tensor:
        seg = F.avg_pool1d(x, kernel_size=self.seg_len, stride=self.seg_len, ceil_mode=True)
        seg = seg.repeat_interleave(self.seg_len, dim=-1)
        return seg[..., : x.shape[-1]]


class _DenseTdnnLayer(nn.Module):
    def __init__(self, in_ch: int, out_ch: int, bn_ch: int, kernel: int, dilation: int):
        super().__init__()
        self.nonlinear1 = _bn_relu(in_ch)
        self.linear1 = nn.Conv1d(in_ch, bn_ch, 1, bias=False)
        self.nonlinear2 = _bn_relu(bn_ch)
        self.cam_layer = _CamLayer(bn_ch, out_ch, kernel, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class _DenseBlock(nn.ModuleDict):
    def __init__(self, layers: int, in_ch: int, growth: int, bn_ch: int, kernel: int, dilation: int):
        super().__init__()
        for i in range(layers):
            self[f"tdnnd{i + 1}"] = _DenseTdnnLayer(in_ch + i * growth, growth, bn_ch, kernel, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.values():
            x = torch.cat([x, layer(x)], dim=1)
        return x


class _Transit(nn.Module):
    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.nonlinear = _bn_relu(in_ch)
        self.linear = nn.Conv1d(in_ch, out_ch, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.nonlinear(x))


class _Dense(nn.Module):
    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.linear = nn.Conv1d(in_ch, out_ch, 1, bias=False)
        self.nonlinear = nn.Sequential(OrderedDict(batchnorm=nn.BatchNorm1d(out_ch, affine=False)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C)
        return self.nonlinear(self.linear(x.unsqueeze(-1)).squeeze(-1))


class CamPlusNetwork(nn.Module):
    """fbank (B, T, 80) -> embeddings (B, 192); optional frame weights for pooling."""

    def __init__(self, growth: int = 32, bn_size: int = 4, init_channels: int = 128) -> None:
        super().__init__()
        self.head = _FrontEnd()
        channels = init_channels
        xvector = OrderedDict(tdnn=_TdnnLayer(self.head.out_channels, channels, 5, stride=2))
        for i, (layers, kernel, dilation) in enumerate(((12, 3, 1), (24, 3, 2), (16, 3, 2))):
            xvector[f"block{i + 1}"] = _DenseBlock(
                layers, channels, growth, bn_size * growth, kernel, dilation
            )
            channels += layers * growth
            xvector[f"transit{i + 1}"] = _Transit(channels, channels // 2)
            channels //= 2
        xvector["out_nonlinear"] = _bn_relu(channels)
        xvector["dense"] = _Dense(channels * 2, EMBEDDING_DIM)
        self.xvector = nn.ModuleDict(xvector)

    def forward(self, fbank: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        return self.pool(self.trunk(fbank), weights)

    def trunk(self, fbank: torch.Tensor) -> torch.Tensor:
        """Frame-level features (B, C, T'): everything before the pooling, where frame weights
        do not yet matter."""
        x = self.head(fbank.transpose(1, 2))
        for name, module in self.xvector.items():
            if name == "dense":
                break
            x = module(x)
        return x

    def pool(self, frames: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        return self.xvector["dense"](_stats_pool(frames, weights))


def _stats_pool(x: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    """Mean and standard deviation over time, weighted by (B, W) frame weights if given."""
    if weights is None:
        mean = x.mean(dim=-1)
        std = x.std(dim=-1, unbiased=True) if x.shape[-1] > 1 else torch.zeros_like(mean)
        return torch.cat([mean, std], dim=-1)
    w = F.interpolate(weights.unsqueeze(1).float(), size=x.shape[-1], mode="nearest")  # (B,1,T)
    total = w.sum(dim=-1).clamp_min(1e-6)
    mean = (x * w).sum(dim=-1) / total
    var = ((x - mean.unsqueeze(-1)) ** 2 * w).sum(dim=-1) / (total - 1).clamp_min(1e-6)
    return torch.cat([mean, var.clamp_min(1e-8).sqrt()], dim=-1)


class CamPlusEmbedding(Model):
    """pyannote.audio embedding model: waveforms (B, 1, samples) at 16 kHz -> (B, 192)."""

    def __init__(self, sample_rate: int = 16000, num_channels: int = 1, task=None) -> None:
        super().__init__(sample_rate=sample_rate, num_channels=num_channels, task=task)
        self.network = CamPlusNetwork()

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIM

    def compute_fbank(self, waveforms: torch.Tensor) -> torch.Tensor:
        import torchaudio.compliance.kaldi as kaldi

        feats = [
            kaldi.fbank(
                w[:1] * 32768.0,
                num_mel_bins=MEL_BINS,
                sample_frequency=self.hparams.sample_rate,
                dither=0.0,
            )
            for w in waveforms
        ]
        features = torch.stack(feats)
        return features - features.mean(dim=1, keepdim=True)

    def forward(self, waveforms: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        if weights is None:
            return self.network(self.compute_fbank(waveforms), None)
        # pyannote asks for an embedding of every local speaker of every chunk, also those
        # silent in that chunk. Their embeddings carry nothing and pyannote's clustering skips
        # NaN embeddings, so the network runs only for speakers active in the chunk.
        # pyannote also sends the same chunk once per local speaker, differing only in the
        # weights; since the weights only enter at the pooling, the network's trunk runs once per
        # distinct chunk (about half the work on a two-party call; bench/run.py).
        active = torch.nonzero(weights.sum(dim=-1) > 0).flatten()
        out = torch.full((waveforms.shape[0], EMBEDDING_DIM), float("nan"), device=waveforms.device)
        if len(active) == 0:
            return out
        distinct: list[int] = []  # batch rows whose waveform the trunk sees
        which: list[int] = []  # for each active row, its position in ``distinct``
        for i in active.tolist():
            if distinct and torch.equal(waveforms[i], waveforms[distinct[-1]]):
                which.append(len(distinct) - 1)
            else:
                distinct.append(i)
                which.append(len(distinct) - 1)
        frames = self.network.trunk(self.compute_fbank(waveforms[distinct]))
        out[active] = self.network.pool(frames[which], weights[active])
        return out

    @classmethod
    def from_checkpoint(cls, path: Path) -> CamPlusEmbedding:
        model = cls()
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.network.load_state_dict(state, strict=True)
        model.eval()
        return model
