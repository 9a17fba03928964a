"""The alert relay: Alertmanager's webhook to DingTalk, Feishu/Lark and WeCom group robots.

Alertmanager has no receiver for these robots (``wechat_configs`` is WeCom's
application API, not a group robot), so ``cckpi serve`` takes the webhook
(``POST /api/alerts/alertmanager``), renders one message per robot in its
language, writes it to a durable outbox first, and a sender thread delivers it
within each robot's rate limit, retrying with back-off until the vendor says ok.
Everything but the sender's HTTP call and the outbox file is pure.
"""
