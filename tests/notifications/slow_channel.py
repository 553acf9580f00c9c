"""A channel for the kill test: in-app delivery followed by a slow acknowledgement, with
every attempt written to a log file (MINSHENG_KILLTEST_LOG), so that a worker killed while
waiting leaves a message delivered but not yet marked delivered."""

import os
import time

from minsheng.notifications.channels import InAppChannel


class SlowChannel:
    def send(self, message) -> None:
        with open(os.environ["MINSHENG_KILLTEST_LOG"], "a") as log:
            log.write(f"{message.delivery_id}\n")
        InAppChannel().send(message)
        time.sleep(float(os.environ.get("MINSHENG_KILLTEST_DELAY", "0.3")))
