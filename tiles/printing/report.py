"""The render report as lines a person reads (render_map, make maps)."""

from __future__ import annotations


def summary_lines(report: dict) -> list[str]:
    unit, paper, scale = report["unit"], report["paper"], report["scale"]
    lines = [
        f"{unit['name']} ({unit['code']}) {paper['name']} {paper['orientation']} -> {report['output']}",
        f"  scale {scale['fraction']}, {sum(report['layers'].values())} features in {len(report['layers'])} layers, "
        f"{len(report['legend'])} legend entries, {report['render_seconds']:.1f} s",
    ]
    labels = report["labels"]
    if labels["missing"]:
        lines.append(f"  names that could not be placed ({len(labels['missing'])}): {'、'.join(labels['missing'])}")
    if labels["not_labelled"]:
        lines.append(f"  names left off on purpose: {'、'.join(labels['not_labelled'])}")
    if report["synthetic_layers"]:
        lines.append(f"  synthetic layers (marked on the sheet): {', '.join(report['synthetic_layers'])}")
    lines.extend(f"  warning: {warning}" for warning in report["warnings"])
    return lines
