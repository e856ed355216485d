/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
/* The room bin's GObject properties: their specs and docs, the settings
 * they set (GstWebRTCRoomSettings: defaults, copies), get/set, and the
 * checks of the settings a user can get wrong (run when the element
 * leaves NULL). The rest of the bin is roombin.c. */

#include "roombin-private.h"
#include "roombin-settings-private.h"
#include "webrtcroom-enumtypes.h"
#include "websocketsignaller.h"
#include "signallerselect-private.h"

#include <string.h>

#define DEFAULT_SERVER_URL GST_WEBRTC_ROOM_DEFAULT_SERVER_URL
#define DEFAULT_ROOM "default"
#define DEFAULT_OFFERS TRUE
#define DEFAULT_POLICY GST_WEBRTC_ICE_TRANSPORT_POLICY_ALL
#define DEFAULT_UPNP FALSE
#define DEFAULT_ICE_TCP TRUE
#define DEFAULT_VIDEO_CODEC "VP8"
#define DEFAULT_VIDEO_CODEC_ENUM GST_WEBRTC_ROOM_VIDEO_CODEC_VP8
#define DEFAULT_AUDIO_CODEC "OPUS"
#define DEFAULT_AUDIO_CODEC_ENUM GST_WEBRTC_ROOM_AUDIO_CODEC_OPUS
#define DEFAULT_BITRATE 1000000
#define DEFAULT_LATENCY 50
#define DEFAULT_DECODE TRUE
#define DEFAULT_NACK TRUE
#define DEFAULT_FEC FALSE
#define DEFAULT_MEDIA_TIMEOUT 2000
/* every peer connection costs a webrtcbin and its threads; a publisher
 * feeding 50 viewers (tests/bench/elements-broadcast.sh) stays within it */
#define DEFAULT_MAX_PEERS 64
#define DEFAULT_DATA_CHANNELS FALSE

#define PROP_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_ROOM,
  PROP_NAME_DISPLAY,
  PROP_META,
  PROP_OFFERS,
  PROP_TOKEN,
  PROP_STUN_SERVER,
  PROP_TURN_SERVERS,
  PROP_ICE_TRANSPORT_POLICY,
  PROP_LOCAL_ADDRESSES,
  PROP_UPNP,
  PROP_ICE_TCP,
  PROP_VIDEO_CODEC,
  PROP_AUDIO_CODEC,
  PROP_BITRATE,
  PROP_LATENCY,
  PROP_DECODE,
  PROP_NACK,
  PROP_FEC,
  PROP_MEDIA_TIMEOUT,
  PROP_MAX_PEERS,
  PROP_DATA_CHANNELS,
  PROP_CA_FILE,
  PROP_TLS_INSECURE,
  PROP_PEER_ID,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

/* The settings a new element starts with */
void
gst_webrtc_room_settings_init (GstWebRTCRoomSettings * settings)
{
  memset (settings, 0, sizeof (*settings));
  settings->server_url = g_strdup (DEFAULT_SERVER_URL);
  settings->room = g_strdup (DEFAULT_ROOM);
  settings->offers = DEFAULT_OFFERS;
  settings->policy = DEFAULT_POLICY;
  settings->upnp = DEFAULT_UPNP;
  settings->ice_tcp = DEFAULT_ICE_TCP;
  settings->video_codec = g_strdup (DEFAULT_VIDEO_CODEC);
  settings->audio_codec = g_strdup (DEFAULT_AUDIO_CODEC);
  settings->bitrate = DEFAULT_BITRATE;
  settings->latency = DEFAULT_LATENCY;
  settings->decode = DEFAULT_DECODE;
  settings->nack = DEFAULT_NACK;
  settings->fec = DEFAULT_FEC;
  settings->media_timeout = DEFAULT_MEDIA_TIMEOUT;
  settings->max_peers = DEFAULT_MAX_PEERS;
  settings->data_channels = DEFAULT_DATA_CHANNELS;
}

/* @dest is overwritten, not cleared first */
void
gst_webrtc_room_settings_copy (GstWebRTCRoomSettings * dest,
    const GstWebRTCRoomSettings * src)
{
  *dest = *src;
  dest->server_url = g_strdup (src->server_url);
  dest->room = g_strdup (src->room);
  dest->display_name = g_strdup (src->display_name);
  dest->meta = g_strdup (src->meta);
  dest->token = g_strdup (src->token);
  dest->stun_server = g_strdup (src->stun_server);
  dest->turn_servers = g_strdup (src->turn_servers);
  dest->local_addresses = g_strdup (src->local_addresses);
  dest->video_codec = g_strdup (src->video_codec);
  dest->audio_codec = g_strdup (src->audio_codec);
  dest->ca_file = g_strdup (src->ca_file);
  if (src->signaller)
    dest->signaller = g_object_ref (src->signaller);
}

void
gst_webrtc_room_settings_clear (GstWebRTCRoomSettings * settings)
{
  g_free (settings->server_url);
  g_free (settings->room);
  g_free (settings->display_name);
  g_free (settings->meta);
  g_free (settings->token);
  g_free (settings->stun_server);
  g_free (settings->turn_servers);
  g_free (settings->local_addresses);
  g_free (settings->video_codec);
  g_free (settings->audio_codec);
  g_free (settings->ca_file);
  g_clear_object (&settings->signaller);
  memset (settings, 0, sizeof (*settings));
}

void
gst_webrtc_room_base_bin_notify_peer_id (GstWebRTCRoomBaseBin * self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_ID]);
}

/* Settings the user can get wrong are checked when the element leaves
 * NULL: the state change fails with a clear error instead of a pipeline
 * that runs and never connects. */

static gboolean
check_ice_url (const gchar * url, gboolean turn, GError ** error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD, error);
  const gchar *scheme;

  if (!uri)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  if (turn ? (g_strcmp0 (scheme, "turn") && g_strcmp0 (scheme, "turns"))
      : g_strcmp0 (scheme, "stun")) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_SCHEME,
        "the scheme must be %s", turn ? "turn:// or turns://" : "stun://");
    return FALSE;
  }
  if (!g_uri_get_host (uri) || !*g_uri_get_host (uri)) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_HOST, "no host");
    return FALSE;
  }
  if (turn && (!g_uri_get_user (uri) || !*g_uri_get_user (uri)
          || !g_uri_get_password (uri))) {
    g_set_error (error, G_URI_ERROR, G_URI_ERROR_BAD_USER,
        "a TURN server needs user:password@ before the host");
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_webrtc_room_base_bin_check_settings (GstWebRTCRoomBaseBin * self)
{
  GstWebRTCRoomSettings *settings = gst_webrtc_room_base_bin_get_settings
      (self);
  g_autofree gchar *url = NULL, *stun = NULL, *turns = NULL, *addrs = NULL;
  g_autofree gchar *ca_file = NULL;
  g_auto (GStrv) list = NULL;
  g_autoptr (GError) error = NULL;
  gboolean custom;
  guint i;

  GST_OBJECT_LOCK (self);
  url = g_strdup (settings->server_url);
  stun = g_strdup (settings->stun_server);
  turns = g_strdup (settings->turn_servers);
  addrs = g_strdup (settings->local_addresses);
  ca_file = g_strdup (settings->ca_file);
  custom = settings->signaller != NULL;
  GST_OBJECT_UNLOCK (self);

  if (!custom && !gst_webrtc_room_signaller_check_url (url, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid server-url '%s': expected ws://HOST:PORT/ws or "
            "wss://HOST:PORT/ws (our room server), janus+ws:// or janus+wss:// "
            "(a Janus VideoRoom), whip+http(s):// (a WHIP endpoint) or "
            "whep+http(s):// (a WHEP endpoint)", GST_STR_NULL (url)), ("%s",
            error->message));
    return FALSE;
  }
  if (ca_file && *ca_file) {
    g_autoptr (GTlsDatabase) database = g_tls_file_database_new (ca_file,
        &error);

    if (!database) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid ca-file '%s': %s", ca_file, error->message), (NULL));
      return FALSE;
    }
  }
  if (stun && *stun && !check_ice_url (stun, FALSE, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("Invalid stun-server '%s': expected stun://HOST:PORT (%s)", stun,
            error->message), (NULL));
    return FALSE;
  }
  list = turns ? g_strsplit_set (turns, ", ", -1) : NULL;
  for (i = 0; list && list[i]; i++) {
    if (!*list[i])
      continue;
    if (!check_ice_url (list[i], TRUE, &error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid turn-servers entry '%s': expected "
              "turn(s)://USER:PASSWORD@HOST:PORT (%s)", list[i],
              error->message), (NULL));
      return FALSE;
    }
  }
  g_clear_pointer (&list, g_strfreev);
  list = addrs ? g_strsplit_set (addrs, ", ", -1) : NULL;
  for (i = 0; list && list[i]; i++) {
    g_autoptr (GInetAddress) address = NULL;

    if (!*list[i])
      continue;
    address = g_inet_address_new_from_string (list[i]);
    if (!address) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid local-addresses entry '%s': expected an IP address",
              list[i]), (NULL));
      return FALSE;
    }
  }
  return TRUE;
}

/* Codec enums: the nick is the codec's SDP name (codecs.c) */
static const gchar *
enum_nick (GType type, gint value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = g_enum_get_value (klass, value);
  const gchar *nick = v ? v->value_nick : NULL;

  g_type_class_unref (klass);
  return nick;
}

static gint
enum_value (GType type, const gchar * nick)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *v = nick ? g_enum_get_value_by_nick (klass, nick) : NULL;
  gint value = v ? v->value : 0;

  g_type_class_unref (klass);
  return value;
}

static gboolean
check_mutable (GstWebRTCRoomBaseBin * self, GParamSpec * pspec)
{
  if (GST_STATE (self) <= GST_STATE_READY)
    return TRUE;
  g_warning ("%s: property '%s' can only be changed in the NULL or READY "
      "state", GST_OBJECT_NAME (self), pspec->name);
  return FALSE;
}

static void
gst_webrtc_room_base_bin_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (object);
  GstWebRTCRoomSettings *settings = gst_webrtc_room_base_bin_get_settings
      (self);
  gchar **str_field = NULL;

  if (!check_mutable (self, pspec))
    return;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SERVER_URL:
      str_field = &settings->server_url;
      break;
    case PROP_ROOM:
      str_field = &settings->room;
      break;
    case PROP_NAME_DISPLAY:
      str_field = &settings->display_name;
      break;
    case PROP_META:
      str_field = &settings->meta;
      break;
    case PROP_TOKEN:
      str_field = &settings->token;
      break;
    case PROP_STUN_SERVER:
      str_field = &settings->stun_server;
      break;
    case PROP_TURN_SERVERS:
      str_field = &settings->turn_servers;
      break;
    case PROP_LOCAL_ADDRESSES:
      str_field = &settings->local_addresses;
      break;
    case PROP_VIDEO_CODEC:
      g_free (settings->video_codec);
      settings->video_codec =
          g_strdup (enum_nick (GST_TYPE_WEBRTC_ROOM_VIDEO_CODEC,
              g_value_get_enum (value)));
      break;
    case PROP_AUDIO_CODEC:
      g_free (settings->audio_codec);
      settings->audio_codec =
          g_strdup (enum_nick (GST_TYPE_WEBRTC_ROOM_AUDIO_CODEC,
              g_value_get_enum (value)));
      break;
    case PROP_OFFERS:
      settings->offers = g_value_get_boolean (value);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      settings->policy = g_value_get_enum (value);
      break;
    case PROP_UPNP:
      settings->upnp = g_value_get_boolean (value);
      break;
    case PROP_ICE_TCP:
      settings->ice_tcp = g_value_get_boolean (value);
      break;
    case PROP_BITRATE:
      settings->bitrate = g_value_get_uint (value);
      break;
    case PROP_LATENCY:
      settings->latency = g_value_get_uint (value);
      break;
    case PROP_DECODE:
      settings->decode = g_value_get_boolean (value);
      break;
    case PROP_NACK:
      settings->nack = g_value_get_boolean (value);
      break;
    case PROP_FEC:
      settings->fec = g_value_get_boolean (value);
      break;
    case PROP_MEDIA_TIMEOUT:
      settings->media_timeout = g_value_get_uint (value);
      break;
    case PROP_MAX_PEERS:
      settings->max_peers = g_value_get_uint (value);
      break;
    case PROP_DATA_CHANNELS:
      settings->data_channels = g_value_get_boolean (value);
      break;
    case PROP_CA_FILE:
      str_field = &settings->ca_file;
      break;
    case PROP_TLS_INSECURE:
      settings->tls_insecure = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  if (str_field) {
    g_free (*str_field);
    *str_field = g_value_dup_string (value);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_webrtc_room_base_bin_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstWebRTCRoomBaseBin *self = GST_WEBRTC_ROOM_BASE_BIN (object);
  GstWebRTCRoomSettings *settings = gst_webrtc_room_base_bin_get_settings
      (self);

  /* not a setting: the bin's, under the object lock too */
  if (prop_id == PROP_PEER_ID) {
    g_value_take_string (value, gst_webrtc_room_base_bin_dup_peer_id (self));
    return;
  }
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_value_set_string (value, settings->server_url);
      break;
    case PROP_ROOM:
      g_value_set_string (value, settings->room);
      break;
    case PROP_NAME_DISPLAY:
      g_value_set_string (value, settings->display_name);
      break;
    case PROP_META:
      g_value_set_string (value, settings->meta);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, settings->token);
      break;
    case PROP_STUN_SERVER:
      g_value_set_string (value, settings->stun_server);
      break;
    case PROP_TURN_SERVERS:
      g_value_set_string (value, settings->turn_servers);
      break;
    case PROP_LOCAL_ADDRESSES:
      g_value_set_string (value, settings->local_addresses);
      break;
    case PROP_VIDEO_CODEC:
      g_value_set_enum (value, enum_value (GST_TYPE_WEBRTC_ROOM_VIDEO_CODEC,
              settings->video_codec));
      break;
    case PROP_AUDIO_CODEC:
      g_value_set_enum (value, enum_value (GST_TYPE_WEBRTC_ROOM_AUDIO_CODEC,
              settings->audio_codec));
      break;
    case PROP_OFFERS:
      g_value_set_boolean (value, settings->offers);
      break;
    case PROP_ICE_TRANSPORT_POLICY:
      g_value_set_enum (value, settings->policy);
      break;
    case PROP_UPNP:
      g_value_set_boolean (value, settings->upnp);
      break;
    case PROP_ICE_TCP:
      g_value_set_boolean (value, settings->ice_tcp);
      break;
    case PROP_BITRATE:
      g_value_set_uint (value, settings->bitrate);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, settings->latency);
      break;
    case PROP_DECODE:
      g_value_set_boolean (value, settings->decode);
      break;
    case PROP_NACK:
      g_value_set_boolean (value, settings->nack);
      break;
    case PROP_FEC:
      g_value_set_boolean (value, settings->fec);
      break;
    case PROP_MEDIA_TIMEOUT:
      g_value_set_uint (value, settings->media_timeout);
      break;
    case PROP_MAX_PEERS:
      g_value_set_uint (value, settings->max_peers);
      break;
    case PROP_DATA_CHANNELS:
      g_value_set_boolean (value, settings->data_channels);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, settings->ca_file);
      break;
    case PROP_TLS_INSECURE:
      g_value_set_boolean (value, settings->tls_insecure);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

void
gst_webrtc_room_base_bin_install_properties (GObjectClass * gobject_class)
{
  gobject_class->set_property = gst_webrtc_room_base_bin_set_property;
  gobject_class->get_property = gst_webrtc_room_base_bin_get_property;

  /**
   * GstWebRTCRoomBaseBin:server-url:
   *
   * WebSocket URL of the room server (ws:// or wss://, path /ws). The
   * scheme picks the signaller: janus+ws:// or janus+wss:// join the Janus
   * VideoRoom `room` through Janus's WebSocket API (`token` is the room
   * pin), whip+http:// or whip+https:// publish to that WHIP endpoint,
   * whep+http:// or whep+https:// play from that WHEP endpoint (`token` is
   * the Bearer token).
   */
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url",
      "Server URL", "WebSocket URL of the room server (ws:// or wss://); "
      "janus+ws(s):// for a Janus VideoRoom, whip+http(s):// / "
      "whep+http(s):// for a WHIP / WHEP endpoint", DEFAULT_SERVER_URL,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:room:
   *
   * Room to join: 1 to 64 characters of [A-Za-z0-9_.-].
   */
  properties[PROP_ROOM] = g_param_spec_string ("room", "Room",
      "Room to join (1-64 characters of A-Z a-z 0-9 _ . -)", DEFAULT_ROOM,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:display-name:
   *
   * Display name other peers see (at most 64 characters).
   */
  properties[PROP_NAME_DISPLAY] = g_param_spec_string ("display-name",
      "Display name", "Name other peers see (at most 64 characters)", NULL,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:meta:
   *
   * A JSON object (as text) relayed verbatim to the other peers.
   */
  properties[PROP_META] = g_param_spec_string ("meta", "Meta",
      "JSON object relayed to other peers (at most 4 KiB)", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:offers:
   *
   * Whether this element sends the first offer to peers already in the
   * room. With %FALSE the others offer to us (the seed's server-side
   * offer), as Safari or WHEP-like viewers need.
   */
  properties[PROP_OFFERS] = g_param_spec_boolean ("offers", "Offers",
      "Create the first offer towards peers already in the room (FALSE: "
      "they offer to us)", DEFAULT_OFFERS, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:token:
   *
   * Join token, when the room server requires one.
   */
  properties[PROP_TOKEN] = g_param_spec_string ("token", "Token",
      "Join token when the room server requires one", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:stun-server:
   *
   * STUN server (stun://host:port). Default: the one the room server
   * announces (its built-in responder).
   */
  properties[PROP_STUN_SERVER] = g_param_spec_string ("stun-server",
      "STUN server", "stun://host:port (default: from the room server)",
      NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:turn-servers:
   *
   * Comma-separated TURN servers, turn(s)://user:password@host:port.
   * Default: those the room server announces.
   *
   * The ICE agent (libnice) has no TLS for TURN: a turns:// server is
   * reached with TURN over plain TCP on its port (coturn's TLS port accepts
   * that; a TLS-only server does not), and the element posts a warning.
   */
  properties[PROP_TURN_SERVERS] = g_param_spec_string ("turn-servers",
      "TURN servers", "Comma-separated turn(s)://user:password@host:port "
      "(default: from the room server)", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:ice-transport-policy:
   *
   * `relay` forces every path through TURN.
   */
  properties[PROP_ICE_TRANSPORT_POLICY] =
      g_param_spec_enum ("ice-transport-policy", "ICE transport policy",
      "all, or relay to use TURN only", GST_TYPE_WEBRTC_ICE_TRANSPORT_POLICY,
      DEFAULT_POLICY, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:local-addresses:
   *
   * Comma-separated host addresses ICE gathers on in addition to libnice's
   * own choice; libnice skips loopback, so 127.0.0.1 must be named here
   * for loopback-only setups.
   */
  properties[PROP_LOCAL_ADDRESSES] = g_param_spec_string ("local-addresses",
      "Local addresses", "Comma-separated host addresses for ICE (e.g. "
      "127.0.0.1; libnice skips loopback otherwise)", NULL, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:upnp:
   *
   * Let libnice use UPnP port mapping. Off by default: it sends SSDP
   * multicast out of the host interface.
   */
  properties[PROP_UPNP] = g_param_spec_boolean ("upnp", "UPnP",
      "Let libnice use UPnP port mapping (sends SSDP multicast)",
      DEFAULT_UPNP, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:ice-tcp:
   *
   * Gather ICE TCP candidates as well as UDP ones.
   */
  properties[PROP_ICE_TCP] = g_param_spec_boolean ("ice-tcp", "ICE TCP",
      "Gather ICE TCP candidates", DEFAULT_ICE_TCP, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:nack:
   *
   * Negative acknowledgements with retransmission (NACK/RTX, RFC 4588) on
   * video: a lost packet is asked for again. Retransmissions only help
   * when they arrive within #GstWebRTCRoomBaseBin:latency, so raise the
   * latency above the round-trip time on lossy links.
   */
  properties[PROP_NACK] = g_param_spec_boolean ("nack", "NACK",
      "Request retransmission of lost video packets (NACK/RTX)",
      DEFAULT_NACK, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:media-timeout:
   *
   * A connected peer from which no RTP or RTCP packet arrived for this many
   * milliseconds is considered cut off (path change, NAT rebinding, TURN
   * server restart: webrtcbin keeps ICE "completed" on a dead path). Its
   * peer connection is then replaced and negotiated again over the room,
   * with `webrtcroom-peer-media-timeout` and `webrtcroom-peer-reconnecting`
   * element messages; `webrtcroom-peer-connected` follows once media flows.
   * 0 disables the watchdog.
   */
  properties[PROP_MEDIA_TIMEOUT] = g_param_spec_uint ("media-timeout",
      "Media timeout",
      "Replace a peer connection that received no RTP/RTCP for this long "
      "(ms, 0 = never)", 0, G_MAXINT, DEFAULT_MEDIA_TIMEOUT, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:max-peers:
   *
   * Most peer connections at once. A room member beyond them gets no
   * peer connection: the element posts a `webrtcroom-peer-refused`
   * element message (fields `peer-id`, `reason` "max-peers", `max-peers`)
   * and a warning, and ignores that peer's signals; the others keep going.
   */
  properties[PROP_MAX_PEERS] = g_param_spec_uint ("max-peers", "Max peers",
      "Most peer connections at once; members beyond are refused", 1,
      G_MAXINT, DEFAULT_MAX_PEERS, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:data-channels:
   *
   * Connect to peers that also set this even when no media flows between
   * us (two viewers, two publishers), for the `chat` data channel alone.
   * Peers with media between them always get the data channel.
   */
  properties[PROP_DATA_CHANNELS] = g_param_spec_boolean ("data-channels",
      "Data channels", "Connect to peers that also ask for data channels "
      "even when no media flows between us", DEFAULT_DATA_CHANNELS, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:ca-file:
   *
   * PEM file of the certificate authorities a wss:// room server's
   * certificate is checked against, instead of the system's (a private
   * CA). A file that cannot be read fails the change to READY.
   */
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", "CA file",
      "PEM file of the CAs to trust for wss:// (default: the system's)", NULL,
      PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:tls-insecure:
   *
   * Accept any certificate from a wss:// room server (self-signed test
   * servers). Never in production: anyone on the path can read and change
   * the signalling, media keys included.
   */
  properties[PROP_TLS_INSECURE] = g_param_spec_boolean ("tls-insecure",
      "TLS insecure", "Accept any wss:// server certificate (testing only)",
      FALSE, PROP_FLAGS);
  /**
   * GstWebRTCRoomBaseBin:peer-id:
   *
   * Our id in the room, assigned by the server after joining.
   */
  properties[PROP_PEER_ID] = g_param_spec_string ("peer-id", "Peer id",
      "Our id in the room (assigned by the server)", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  for (guint i = 1; i < N_PROPERTIES; i++) {
    if (properties[i])
      g_object_class_install_property (gobject_class, i, properties[i]);
  }

}

/* The properties only a sending or only a receiving element has, made
 * for each element class that has them (a GParamSpec belongs to one
 * class). */
void
gst_webrtc_room_base_bin_install_media_properties (GObjectClass *
    gobject_class, GstWebRTCRoomMediaMode mode)
{
  /* GObject does not inherit these two: the subclass' own properties go
   * through the base class' handlers */
  gobject_class->set_property = gst_webrtc_room_base_bin_set_property;
  gobject_class->get_property = gst_webrtc_room_base_bin_get_property;
  if (mode != GST_WEBRTC_ROOM_MEDIA_RECVONLY) {
    /**
     * webrtcroombin:video-codec:
     *
     * Codec raw video is encoded to: VP8, VP9, H264 or AV1 (AV1 needs
     * rtpav1pay, which GStreamer 1.22 does not ship). Already-encoded
     * input is sent as it is. webrtcroombin and webrtcroomsink only.
     */
    g_object_class_install_property (gobject_class, PROP_VIDEO_CODEC,
        g_param_spec_enum ("video-codec", "Video codec",
            "Codec for raw video input", GST_TYPE_WEBRTC_ROOM_VIDEO_CODEC,
            DEFAULT_VIDEO_CODEC_ENUM, PROP_FLAGS));
    /**
     * webrtcroombin:audio-codec:
     *
     * Codec raw audio is encoded to (OPUS). webrtcroombin and
     * webrtcroomsink only.
     */
    g_object_class_install_property (gobject_class, PROP_AUDIO_CODEC,
        g_param_spec_enum ("audio-codec", "Audio codec",
            "Codec for raw audio input", GST_TYPE_WEBRTC_ROOM_AUDIO_CODEC,
            DEFAULT_AUDIO_CODEC_ENUM, PROP_FLAGS));
    /**
     * webrtcroombin:bitrate:
     *
     * Target video bitrate in bits per second. webrtcroombin and
     * webrtcroomsink only.
     */
    g_object_class_install_property (gobject_class, PROP_BITRATE,
        g_param_spec_uint ("bitrate", "Bitrate",
            "Target video bitrate (bits/s)", 10000, G_MAXINT, DEFAULT_BITRATE,
            PROP_FLAGS));
    /**
     * webrtcroombin:fec:
     *
     * Forward error correction on video: ULPFEC (RFC 5109) inside RED
     * (RFC 2198). Costs bandwidth on every link; repairs loss without a
     * round trip. webrtcroombin and webrtcroomsink only: webrtcroomsrc
     * always accepts it.
     */
    g_object_class_install_property (gobject_class, PROP_FEC,
        g_param_spec_boolean ("fec", "FEC",
            "Send and accept ULPFEC/RED forward error correction on video",
            DEFAULT_FEC, PROP_FLAGS));
  }
  if (mode != GST_WEBRTC_ROOM_MEDIA_SENDONLY) {
    /**
     * webrtcroombin:latency:
     *
     * Jitterbuffer latency in milliseconds. Low by default for LAN and
     * loopback; raise it on lossy or jittery networks. webrtcroombin and
     * webrtcroomsrc only.
     */
    g_object_class_install_property (gobject_class, PROP_LATENCY,
        g_param_spec_uint ("latency", "Latency", "Jitterbuffer latency (ms)",
            0, 10000, DEFAULT_LATENCY, PROP_FLAGS));
    /**
     * webrtcroombin:decode:
     *
     * Decode remote tracks to raw video/audio; %FALSE outputs the encoded
     * stream (e.g. to record without re-encoding). webrtcroombin and
     * webrtcroomsrc only.
     */
    g_object_class_install_property (gobject_class, PROP_DECODE,
        g_param_spec_boolean ("decode", "Decode",
            "Output raw (decoded) remote tracks; FALSE outputs encoded "
            "streams", DEFAULT_DECODE, PROP_FLAGS));
  }
}
