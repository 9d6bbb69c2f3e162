"""Sending one Delivery through its channel, and showing targets without their secrets.

Robots (企业微信 / 钉钉 / 飞书) and SMS go through Apprise's own plugins, so the vendors'
JSON bodies and DingTalk's signing are Apprise's, not hand-written here. Email goes
through Django's mail (the site's EMAIL_* settings), like every other mail of the site.

settings.NOTIFY_ROBOT_BASE_URLS (tests and staging only) points a robot kind at another
host: the plugin's own `notify_url` is kept and only its scheme and host are replaced,
in a subclass made here; production leaves it empty and Apprise talks to the vendors.
"""
import logging
import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from apprise import Apprise, LogCapture
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.feishu import NotifyFeishu
from apprise.plugins.wecombot import NotifyWeComBot
from django.conf import settings
from django.core.mail import send_mail

from .models import Channel


class SignedDingTalk(NotifyDingTalk):
    """Apprise's DingTalk plugin with its signature encoded once.

    Apprise 2.3 URL-quotes the base64 signature itself and then hands it to requests as a
    query parameter, which quotes it again (sign=b%252B...): DingTalk decodes once and
    answers “sign not match”. Returning it unquoted lets requests encode it exactly once.
    """

    def get_signature(self):
        timestamp, quoted = super().get_signature()
        return timestamp, unquote(quoted)


PLUGINS = {Channel.WECOM: NotifyWeComBot, Channel.DINGTALK: SignedDingTalk, Channel.FEISHU: NotifyFeishu}

# What identifies the robot in the URL each vendor gives: (host, pattern for the token).
ROBOT_URLS = {
    Channel.WECOM: ("qyapi.weixin.qq.com", re.compile(r"[?&]key=([A-Za-z0-9-]+)")),
    Channel.DINGTALK: ("oapi.dingtalk.com", re.compile(r"[?&]access_token=([A-Za-z0-9]+)")),
    Channel.FEISHU: ("open.feishu.cn", re.compile(r"/bot/v2/hook/([A-Za-z0-9-]+)")),
}
SECRET_QUERY_KEYS = {"key", "access_token", "token", "sign", "secret", "timestamp"}


class ChannelError(Exception):
    """A robot URL or secret that cannot work; the message is for the user, in Chinese."""


def robot_token(kind, url):
    """The token in a vendor's robot webhook URL, or ChannelError saying what is wrong."""
    host, pattern = ROBOT_URLS[kind]
    parts = urlsplit((url or "").strip())
    if parts.scheme != "https" or parts.hostname != host:
        raise ChannelError(
            f"{Channel(kind).label}的 Webhook 地址应以 https://{host}/ 开头，请从群机器人设置中完整复制。"
        )
    match = pattern.search(url)
    if not match:
        raise ChannelError(
            f"在该地址中没有找到{Channel(kind).label}的密钥（key / access_token），请从群机器人设置中完整复制。"
        )
    return match.group(1)


def _mask(value):
    return value[:4] + "****" if len(value) > 4 else "****"


def mask_url(url):
    """The URL with every token and secret cut to its first four characters."""
    parts = urlsplit(url or "")
    query = urlencode([(k, _mask(v) if k.lower() in SECRET_QUERY_KEYS else v) for k, v in parse_qsl(parts.query)],
                      safe="*")
    path = "/".join(_mask(seg) if len(seg) >= 16 else seg for seg in parts.path.split("/"))
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def mask_mobile(mobile):
    return mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 8 else "****"


def _plugin_class(kind):
    cls = PLUGINS[kind]
    base = (getattr(settings, "NOTIFY_ROBOT_BASE_URLS", {}) or {}).get(str(kind))
    if not base:
        return cls
    parts = urlsplit(cls.notify_url)
    rest = cls.notify_url[len(f"{parts.scheme}://{parts.netloc}"):]
    return type(cls.__name__, (cls,), {"notify_url": base.rstrip("/") + rest})


def robot_plugin(robot):
    """The Apprise plugin object that posts to this UnitRobot."""
    token = robot_token(robot.kind, robot.webhook_url)
    cls = _plugin_class(robot.kind)
    if robot.kind == Channel.WECOM:
        return cls(key=token)
    if robot.kind == Channel.DINGTALK:
        return cls(token=token, secret=robot.secret or None)
    return cls(token=token)


def _notify(plugin, subject, body):
    """Send through an Apprise plugin; (accepted, what went wrong)."""
    with LogCapture(level=logging.WARNING) as captured:
        ok = plugin.notify(body=body, title=subject)
    if ok:
        return True, ""
    lines = [line.split(" - ", 2)[-1] for line in captured.getvalue().strip().splitlines()]
    return False, (lines[-1] if lines else "渠道未接受该消息")


def send(delivery):
    """Send one Delivery through its channel. Returns (accepted, error); never raises."""
    try:
        if delivery.channel == Channel.EMAIL:
            if not delivery.user or not delivery.user.email:
                return False, "该用户没有邮箱地址"
            send_mail(delivery.subject, delivery.body, None, [delivery.user.email])
            return True, ""
        if delivery.channel == Channel.SMS:
            template = getattr(settings, "NOTIFY_SMS_URL", "")
            mobile = getattr(getattr(delivery.user, "contact_preference", None), "mobile", "")
            if not template or not mobile:
                return False, "未配置短信网关或手机号"
            plugin = Apprise.instantiate(template.format(mobile=mobile))
            if plugin is None:
                return False, "短信网关地址无法识别（NOTIFY_SMS_URL）"
            return _notify(plugin, delivery.subject, delivery.body)
        robot = delivery.robot
        if robot is None or not robot.active:
            return False, "该群机器人已删除或停用"
        plugin = robot_plugin(robot)
        if plugin is None:
            return False, "机器人地址无法识别"
        # Plugins without a title field (企业微信, 钉钉 text) get it as the first line from Apprise.
        return _notify(plugin, delivery.subject, delivery.body)
    except ChannelError as error:
        return False, str(error)
    except Exception as error:  # SMTP refused, plugin rejected its token, ...
        return False, f"{type(error).__name__}: {error}"[:500]
