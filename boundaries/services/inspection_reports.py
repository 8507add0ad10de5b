"""The joint inspection report (联合检查报告) with its record sheet (界线联检记录表), and the December
summary of a year's inspections, as PDF. Both read boundaries.services.inspections; neither writes."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from boundaries import representation_inspections as represent
from boundaries.models import InspectionCampaign, InspectionTask
from boundaries.services import inspections
from core.pdf import DocumentInfo, html_to_pdf


def report_pdf(campaign: InspectionCampaign) -> bytes:
    data = represent.campaign(campaign)
    labels = {
        "found": dict(inspections.Found.choices),
        "condition": dict(inspections.Condition.choices),
        "status": dict(InspectionCampaign.Status.choices),
        "occasion": dict(InspectionCampaign.Occasion.choices),
    }
    for check in data["marker_checks"]:
        check["found_label"] = labels["found"][check["found"]]
    for check in data["stretch_checks"]:
        check["condition_label"] = labels["condition"][check["condition"]]
    task_status = dict(InspectionTask.Status.choices)
    for task in data["tasks"]:
        task["status_label"] = task_status[task["status"]]
    title = f"{campaign.line.name}{campaign.year}年联合检查报告"
    context = {
        "title": title,
        "c": data,
        "line": campaign.line,
        "status_label": labels["status"][campaign.status],
        "occasion_label": labels["occasion"][campaign.occasion],
        "synthetic": any(m["synthetic"] for m in data["markers"]),
        "made_on": timezone.localdate(),
        "publisher": settings.GAZETTEER_PUBLISHER,
    }
    info = DocumentInfo(
        title=title, author=settings.GAZETTEER_PUBLISHER, subject=f"{campaign.number} {campaign.line.code}"
    )
    return html_to_pdf(render_to_string("boundaries/inspection_report.html", context), info)


def summary_pdf(year: int) -> bytes:
    data = inspections.year_summary(year)
    status = dict(InspectionCampaign.Status.choices)
    for row in data["campaigns"]:
        row["status_label"] = status[row["status"]]
    title = f"牡丹江市{year}年度行政区域界线联合检查工作总结"
    context = {"title": title, "s": data, "made_on": timezone.localdate(), "publisher": settings.GAZETTEER_PUBLISHER}
    info = DocumentInfo(title=title, author=settings.GAZETTEER_PUBLISHER, subject=f"inspections {year}")
    return html_to_pdf(render_to_string("boundaries/inspection_summary.html", context), info)
