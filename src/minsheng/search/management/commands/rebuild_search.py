"""manage.py rebuild_search: compute the full-text index again from the demands and their events."""

import time

from django.core.management.base import BaseCommand

from minsheng.knowledge.services import rebuild_index as rebuild_articles
from minsheng.search import index
from minsheng.search.segmenter import reload_dictionary


class Command(BaseCommand):
    help = "重建全文检索索引（按当前的区域名称和分类词典重新分词）。"

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        reload_dictionary()  # the region tree and the catalogue as they are now
        count = index.rebuild()
        articles = rebuild_articles()  # the knowledge base's live articles, the second kind of document
        self.stdout.write(f"{count} documents indexed in {time.perf_counter() - started:.1f} s "
                          f"(and {articles} knowledge-base articles)")
