"""What drf-spectacular cannot say by itself: OpenAPI links between operations (each product
names its links in its api/links.py), added by a postprocessing hook."""

from __future__ import annotations

from gongxin.inquiry.api.links import LINKS


def add_links(result, generator, request, public):
    operations = {
        op["operationId"]: op
        for item in result["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for (source, status), links in LINKS.items():
        response = operations[source]["responses"][status]
        for name, (target, parameters, body) in links.items():
            if target not in operations:
                raise ValueError(f"link {name}: no operation {target}")
            link = {"operationId": target}
            if parameters:
                link["parameters"] = parameters
            if body is not None:
                link["requestBody"] = body
            response.setdefault("links", {})[name] = link
    return result
