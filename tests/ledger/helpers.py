from minsheng.ledger.models import Item, Supermarket

from ..wishes.helpers import plain_volunteer


def supermarket_with(world, *, stock=1, points="30"):
    market = Supermarket.objects.create(name="玫瑰城爱心超市", region=world.regions["c1"],
                                        address="玫瑰城社区服务中心一楼")
    item = Item.objects.create(supermarket=market, name="洗衣液", points=points, stock=stock)
    return market, item


__all__ = ["plain_volunteer", "supermarket_with"]
