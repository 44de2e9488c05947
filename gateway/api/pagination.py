"""Page links that keep every filter of the request and change only `page`."""

from __future__ import annotations

from aiohttp import web

from gateway.api.schemas import Links


def total_pages(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


def links(request: web.Request, page: int, page_size: int, total: int) -> Links:
    last = total_pages(total, page_size)

    def at(number: int) -> str:
        query = dict(request.query)
        query.update(page=str(number), page_size=str(page_size))
        return str(request.rel_url.with_query(query))

    return Links(
        self=at(page),
        first=at(1),
        last=at(last),
        next=at(page + 1) if page < last else None,
        prev=at(min(page - 1, last)) if page > 1 else None,
    )
