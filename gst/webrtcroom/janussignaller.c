/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstwebrtcroomjanussignaller
 * @title: GstWebRTCRoomJanusSignaller
 * @short_description: a Janus VideoRoom seen as a room (Janus WebSocket API)
 *
 * Lets the room elements use a Janus VideoRoom (Janus 1.x, WebSocket
 * transport, subprotocol `janus-protocol`) as the media server behind a
 * room. The room is the element's `room` property, a number; the
 * element's `token` is the room's `pin`. Janus becomes room-protocol
 * events, so the elements' peer sessions do the WebRTC work unchanged:
 *
 * - our publisher handle is a virtual peer `janus` (offers=false) listed
 *   in the welcome: the element offers to it, the offer goes to Janus as
 *   `publish` (`configure` when renegotiating), the answer comes back;
 * - every remote publisher is a virtual peer `feed-<id>` (offers=true),
 *   announced with peer-joined; a subscriber handle joins it
 *   (`ptype=subscriber`), Janus's offer is relayed, our answer goes back
 *   as `start`;
 * - `publishers` events become peer-joined, `unpublished`/`leaving`/
 *   `kicked` become peer-left; candidates go through `trickle`, the end of
 *   candidates as `completed`;
 * - a keepalive every 25 s (Janus drops a silent session after 60 s);
 * - Janus errors (426 no such room, 433 wrong pin, 432 room full, ...)
 *   become #GST_WEBRTC_ROOM_ERROR errors with a clear message.
 *
 * Threading as in #GstWebRTCRoomSignaller: start() captures the caller's
 * thread-default context; everything runs and every signal is emitted
 * there; send() may be called from any thread; stop() from the context's
 * thread or any other (it then waits for the context).
 */

#include "protocol-private.h"
#include "signaller-private.h"
#include "janussignaller.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <libsoup/soup.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (janus_debug);
#define GST_CAT_DEFAULT janus_debug

#define DEFAULT_SERVER_URL "janus+ws://127.0.0.1:8188/"
#define DEFAULT_PUBLISH TRUE
#define DEFAULT_SUBSCRIBE TRUE
#define DEFAULT_KEEPALIVE_INTERVAL 25   /* s */
#define DEFAULT_CONNECT_TIMEOUT 10000   /* ms */

/* a Janus event with a few SDPs fits easily; nothing legitimate is near */
#define MAX_INCOMING_PAYLOAD (1024 * 1024)
/* remote publishers followed at most (Janus rooms default to 3) */
#define MAX_FEEDS 256
#define MAX_QUEUED 1000
#define MAX_PENDING_TRANSACTIONS 1024

/* VideoRoom plugin error codes (janus_videoroom.c, 1.1.2) */
#define JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM 426
#define JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED 428
#define JANUS_VIDEOROOM_ERROR_PUBLISHERS_FULL 432
#define JANUS_VIDEOROOM_ERROR_UNAUTHORIZED 433
/* Janus core error codes (apierror.h) */
#define JANUS_ERROR_UNAUTHORIZED 403
#define JANUS_ERROR_UNAUTHORIZED_PLUGIN 405
#define JANUS_ERROR_PLUGIN_NOT_FOUND 460

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_PUBLISH,
  PROP_SUBSCRIBE,
  PROP_KEEPALIVE_INTERVAL,
  PROP_CONNECT_TIMEOUT,
  PROP_CA_FILE,
  PROP_TLS_INSECURE,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

typedef enum
{
  STATE_IDLE,
  STATE_CONNECTING,             /* until the publisher handle joined */
  STATE_JOINED,
  STATE_FAILED,
} State;

typedef enum
{
  TX_CREATE,
  TX_ATTACH_PUBLISHER,
  TX_ATTACH_SUBSCRIBER,
  TX_OTHER,
} TxKind;

typedef struct
{
  TxKind kind;
  gchar *peer_id;               /* TX_ATTACH_SUBSCRIBER */
} Transaction;

/* One remote publisher we subscribe to */
typedef struct
{
  gchar *peer_id;
  gint64 feed_id;
  gint64 handle_id;             /* 0 until attached */
} Feed;

struct _GstWebRTCRoomJanusSignaller
{
  GObject parent;

  /* Guarded by lock */
  GMutex lock;
  gchar *server_url;
  gboolean publish;
  gboolean subscribe;
  guint keepalive_interval;
  guint connect_timeout;
  gchar *ca_file;
  gboolean tls_insecure;
  GMainContext *context;

  GstWebRTCRoomSendQueue *signals;      /* from send() */

  /* Owned by the context */
  State state;
  guint generation;
  GstWebRTCRoomJoinParams *params;
  gboolean cur_publish;
  gboolean cur_subscribe;
  guint keepalive_interval_cur;
  guint connect_timeout_cur;
  gchar *ca_file_cur;
  gboolean tls_insecure_cur;
  gchar *url;                   /* as given, for messages */
  gchar *ws_url;                /* ws:// or wss:// */
  gint64 room_id;
  SoupSession *session;
  SoupWebsocketConnection *conn;
  GCancellable *cancellable;
  gint64 session_id;
  gint64 publisher_handle;
  gint64 own_id;
  gint64 private_id;
  gboolean published;
  guint64 next_transaction;
  GHashTable *transactions;     /* id -> Transaction */
  GHashTable *feeds;            /* peer id -> Feed */
  GSource *keepalive_source;
  GSource *timeout_source;
  GSource *start_source;
};

static void signaller_iface_init (GstWebRTCRoomSignallerInterface * iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GstWebRTCRoomJanusSignaller,
    gst_webrtc_room_janus_signaller, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (GST_TYPE_WEBRTC_ROOM_SIGNALLER,
        signaller_iface_init));

typedef GstWebRTCRoomJanusSignaller Self;

static void
transaction_free (gpointer data)
{
  Transaction *t = data;

  g_free (t->peer_id);
  g_free (t);
}

static void
feed_free (gpointer data)
{
  Feed *f = data;

  g_free (f->peer_id);
  g_free (f);
}

static GSource *
attach_source (Self * self, GSource * source, GSourceFunc func)
{
  g_source_set_callback (source, func, gst_webrtc_room_pending_new (self,
          &self->generation), gst_webrtc_room_pending_free);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_clear_pointer (source, g_source_unref);
  }
}

/* Failing */

static void
teardown (Self * self, gboolean destroy_session)
{
  clear_source (&self->keepalive_source);
  clear_source (&self->timeout_source);
  clear_source (&self->start_source);
  if (self->cancellable) {
    g_cancellable_cancel (self->cancellable);
    g_clear_object (&self->cancellable);
  }
  if (self->conn) {
    g_signal_handlers_disconnect_by_data (self->conn, self);
    g_main_context_push_thread_default (self->context);
    if (soup_websocket_connection_get_state (self->conn) ==
        SOUP_WEBSOCKET_STATE_OPEN) {
      if (destroy_session && self->session_id) {
        /* Janus hangs up every handle: the others see us leave at once */
        g_autofree gchar *text = g_strdup_printf ("{\"janus\":\"destroy\","
            "\"session_id\":%" G_GINT64_FORMAT ",\"transaction\":\"bye\"}",
            self->session_id);
        soup_websocket_connection_send_text (self->conn, text);
      }
      soup_websocket_connection_close (self->conn,
          SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
    g_main_context_pop_thread_default (self->context);
    g_clear_object (&self->conn);
  }
  g_hash_table_remove_all (self->transactions);
  g_hash_table_remove_all (self->feeds);
  self->session_id = 0;
  self->publisher_handle = 0;
  self->own_id = 0;
  self->private_id = 0;
  self->published = FALSE;
}

static void
fail (Self * self, GError * error)
{
  g_autoptr (GError) owned = error;

  if (self->state == STATE_FAILED || self->state == STATE_IDLE)
    return;
  self->state = STATE_FAILED;
  teardown (self, TRUE);
  gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
      owned, TRUE);
}

/* A Janus error code and reason as a room error with a human message. */
static GError *
janus_error (Self * self, gint64 code, const gchar * reason)
{
  const gchar *room = self->params ? self->params->room : "?";

  if (!reason)
    reason = "no reason given";
  switch (code) {
    case JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM:
      return g_error_new (GST_WEBRTC_ROOM_ERROR, GST_WEBRTC_ROOM_ERROR_UNKNOWN,
          "Janus at %s has no VideoRoom %s (Janus error %" G_GINT64_FORMAT
          ": %s)", self->url, room, code, reason);
    case JANUS_VIDEOROOM_ERROR_UNAUTHORIZED:
      return g_error_new (GST_WEBRTC_ROOM_ERROR,
          GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED, "Janus refused VideoRoom %s: "
          "wrong or missing pin (the element's token is the room pin) "
          "(Janus error %" G_GINT64_FORMAT ": %s)", room, code, reason);
    case JANUS_ERROR_UNAUTHORIZED:
    case JANUS_ERROR_UNAUTHORIZED_PLUGIN:
      return g_error_new (GST_WEBRTC_ROOM_ERROR,
          GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED, "Janus at %s requires an API "
          "secret or token (Janus error %" G_GINT64_FORMAT ": %s)", self->url,
          code, reason);
    case JANUS_VIDEOROOM_ERROR_PUBLISHERS_FULL:
      return g_error_new (GST_WEBRTC_ROOM_ERROR,
          GST_WEBRTC_ROOM_ERROR_ROOM_FULL,
          "Janus VideoRoom %s has its maximum of publishers (Janus error %"
          G_GINT64_FORMAT ": %s)", room, code, reason);
    case JANUS_ERROR_PLUGIN_NOT_FOUND:
      return g_error_new (GST_WEBRTC_ROOM_ERROR, GST_WEBRTC_ROOM_ERROR_UNKNOWN,
          "Janus at %s has no VideoRoom plugin (Janus error %" G_GINT64_FORMAT
          ": %s)", self->url, code, reason);
    default:
      return g_error_new (GST_WEBRTC_ROOM_ERROR, GST_WEBRTC_ROOM_ERROR_UNKNOWN,
          "Janus error %" G_GINT64_FORMAT " in VideoRoom %s: %s", code, room,
          reason);
  }
}

/* Sending to Janus */

static gchar *
new_transaction (Self * self, TxKind kind, const gchar * peer_id)
{
  Transaction *t;
  gchar *id;

  /* answers that never come must not grow the table forever */
  if (g_hash_table_size (self->transactions) >= MAX_PENDING_TRANSACTIONS)
    g_hash_table_remove_all (self->transactions);
  id = g_strdup_printf ("gwr%" G_GUINT64_FORMAT, ++self->next_transaction);
  t = g_new0 (Transaction, 1);
  t->kind = kind;
  t->peer_id = g_strdup (peer_id);
  g_hash_table_insert (self->transactions, g_strdup (id), t);
  return id;
}

/* Sends @msg (consumed) with session_id/handle_id and a transaction. */
static void
send_janus (Self * self, JsonObject * msg, gint64 handle_id, TxKind kind,
    const gchar * peer_id)
{
  g_autoptr (JsonObject) owned = msg;
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree gchar *tx = new_transaction (self, kind, peer_id);
  g_autofree gchar *text = NULL;

  if (!self->conn
      || soup_websocket_connection_get_state (self->conn) !=
      SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (self->session_id)
    json_object_set_int_member (msg, "session_id", self->session_id);
  if (handle_id)
    json_object_set_int_member (msg, "handle_id", handle_id);
  json_object_set_string_member (msg, "transaction", tx);
  json_node_set_object (node, msg);
  text = json_to_string (node, FALSE);
  GST_LOG ("to Janus: %s", text);
  g_main_context_push_thread_default (self->context);
  soup_websocket_connection_send_text (self->conn, text);
  g_main_context_pop_thread_default (self->context);
}

static JsonObject *
janus_request (const gchar * what)
{
  JsonObject *msg = json_object_new ();

  json_object_set_string_member (msg, "janus", what);
  return msg;
}

/* A VideoRoom `message` with @body (consumed) and optional @jsep. */
static void
send_plugin_message (Self * self, gint64 handle_id, JsonObject * body,
    JsonObject * jsep)
{
  JsonObject *msg = janus_request ("message");

  json_object_set_object_member (msg, "body", body);
  if (jsep)
    json_object_set_object_member (msg, "jsep", json_object_ref (jsep));
  send_janus (self, msg, handle_id, TX_OTHER, NULL);
}

static JsonObject *
join_body (Self * self, const gchar * ptype)
{
  JsonObject *body = json_object_new ();

  json_object_set_string_member (body, "request", "join");
  json_object_set_string_member (body, "ptype", ptype);
  json_object_set_int_member (body, "room", self->room_id);
  if (self->params->token && *self->params->token)
    json_object_set_string_member (body, "pin", self->params->token);
  return body;
}

static void
attach (Self * self, TxKind kind, const gchar * peer_id)
{
  JsonObject *msg = janus_request ("attach");

  json_object_set_string_member (msg, "plugin", "janus.plugin.videoroom");
  send_janus (self, msg, 0, kind, peer_id);
}

static void
detach (Self * self, gint64 handle_id)
{
  if (handle_id)
    send_janus (self, janus_request ("detach"), handle_id, TX_OTHER, NULL);
}

static gboolean
on_keepalive (gpointer data)
{
  g_autoptr (GstWebRTCRoomJanusSignaller) self =
      gst_webrtc_room_pending_get (data);

  if (!self)
    return G_SOURCE_REMOVE;
  send_janus (self, janus_request ("keepalive"), 0, TX_OTHER, NULL);
  return G_SOURCE_CONTINUE;
}

/* Feeds (remote publishers) */

static Feed *
find_feed_by_handle (Self * self, gint64 handle_id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->feeds);
  while (g_hash_table_iter_next (&iter, NULL, &value)) {
    Feed *f = value;
    if (f->handle_id == handle_id)
      return f;
  }
  return NULL;
}

static Feed *
find_feed_by_id (Self * self, gint64 feed_id)
{
  g_autofree gchar *peer_id = g_strdup_printf ("%s%" G_GINT64_FORMAT,
      GST_WEBRTC_ROOM_JANUS_FEED_PREFIX, feed_id);

  return g_hash_table_lookup (self->feeds, peer_id);
}

/* Roles in the peer meta (docs/protocol.md, "Roles in the join meta"): a
 * feed only sends, the kinds its `streams` list (both when absent); our
 * publisher handle only receives. */
static JsonObject *
feed_meta (JsonObject * publisher)
{
  JsonObject *meta = json_object_new ();
  JsonArray *streams = gst_webrtc_room_json_get_array (publisher, "streams");
  JsonArray *sends = json_array_new ();
  gboolean video = streams == NULL, audio = streams == NULL;
  guint i;

  for (i = 0; streams && i < json_array_get_length (streams); i++) {
    JsonNode *node = json_array_get_element (streams, i);
    const gchar *type;

    if (!JSON_NODE_HOLDS_OBJECT (node)
        || json_object_has_member (json_node_get_object (node), "disabled"))
      continue;
    type =
        gst_webrtc_room_json_get_string (json_node_get_object (node), "type");
    video |= !g_strcmp0 (type, "video");
    audio |= !g_strcmp0 (type, "audio");
  }
  if (video)
    json_array_add_string_element (sends, "video");
  if (audio)
    json_array_add_string_element (sends, "audio");
  json_object_set_array_member (meta, "sends", sends);
  json_object_set_boolean_member (meta, "receives", FALSE);
  return meta;
}

static JsonObject *
publisher_peer_meta (void)
{
  JsonObject *meta = json_object_new ();

  json_object_set_array_member (meta, "sends", json_array_new ());
  json_object_set_boolean_member (meta, "receives", TRUE);
  return meta;
}

static void
add_feed (Self * self, JsonObject * publisher)
{
  g_autoptr (JsonObject) meta = NULL;
  g_autoptr (GstWebRTCRoomPeerInfo) info = NULL;
  gint64 feed_id;
  Feed *f;

  if (!gst_webrtc_room_json_get_int (publisher, "id", &feed_id)
      || feed_id == self->own_id || find_feed_by_id (self, feed_id))
    return;
  if (g_hash_table_size (self->feeds) >= MAX_FEEDS) {
    GST_WARNING ("more than %d Janus publishers: ignoring feed %"
        G_GINT64_FORMAT, MAX_FEEDS, feed_id);
    return;
  }
  f = g_new0 (Feed, 1);
  f->feed_id = feed_id;
  f->peer_id = g_strdup_printf ("%s%" G_GINT64_FORMAT,
      GST_WEBRTC_ROOM_JANUS_FEED_PREFIX, feed_id);
  g_hash_table_insert (self->feeds, g_strdup (f->peer_id), f);
  GST_INFO ("Janus publisher %" G_GINT64_FORMAT " appeared", feed_id);

  meta = feed_meta (publisher);
  info =
      gst_webrtc_room_peer_info_new (f->peer_id,
      gst_webrtc_room_json_get_string (publisher, "display"), meta, TRUE);
  attach (self, TX_ATTACH_SUBSCRIBER, f->peer_id);
  gst_webrtc_room_signaller_emit_peer_joined (GST_WEBRTC_ROOM_SIGNALLER (self),
      info);
}

static void
add_feeds (Self * self, JsonArray * publishers)
{
  guint i;

  if (!publishers || !self->cur_subscribe)
    return;
  for (i = 0; i < json_array_get_length (publishers); i++) {
    JsonNode *node = json_array_get_element (publishers, i);
    if (JSON_NODE_HOLDS_OBJECT (node))
      add_feed (self, json_node_get_object (node));
  }
}

static void
remove_feed (Self * self, Feed * f, const gchar * reason)
{
  g_autofree gchar *peer_id = g_strdup (f->peer_id);

  GST_INFO ("Janus publisher %" G_GINT64_FORMAT " gone (%s)", f->feed_id,
      reason);
  detach (self, f->handle_id);
  g_hash_table_remove (self->feeds, peer_id);
  gst_webrtc_room_signaller_emit_peer_left (GST_WEBRTC_ROOM_SIGNALLER (self),
      peer_id, reason);
}

static void
remove_feed_by_member (Self * self, JsonObject * data, const gchar * member,
    const gchar * reason)
{
  gint64 feed_id;
  Feed *f;

  /* a string ("ok") means it is about ourselves */
  if (!gst_webrtc_room_json_get_int (data, member, &feed_id))
    return;
  f = find_feed_by_id (self, feed_id);
  if (f)
    remove_feed (self, f, reason);
}

/* Relaying descriptions and candidates to the peer sessions */

/* Janus drops a DTLS ClientHello that reaches it before its own ICE is
 * ready (a 1 s retransmission stall in about one run in ten, TRAPS.md).
 * Presenting Janus's `actpass` offer as `active` makes webrtcbin answer
 * `passive`, so Janus is the DTLS client and starts the handshake when it
 * is ready; an `actpass` offer accepts a `passive` answer (RFC 5763). */
static gchar *
janus_offer_for_webrtcbin (const gchar * sdp)
{
  g_auto (GStrv) lines = g_strsplit (sdp, "\n", -1);
  guint i;

  for (i = 0; lines[i]; i++) {
    if (g_str_has_prefix (lines[i], "a=setup:actpass")) {
      gboolean cr = g_str_has_suffix (lines[i], "\r");
      g_free (lines[i]);
      lines[i] = g_strdup (cr ? "a=setup:active\r" : "a=setup:active");
    }
  }
  return g_strjoinv ("\n", lines);
}

static void
relay_jsep (Self * self, const gchar * from, JsonObject * jsep)
{
  const gchar *type = gst_webrtc_room_json_get_string (jsep, "type");
  const gchar *sdp = gst_webrtc_room_json_get_string (jsep, "sdp");
  g_autoptr (JsonObject) data = NULL;
  JsonObject *description;

  if (!type || !sdp || (strcmp (type, "offer") && strcmp (type, "answer"))) {
    GST_WARNING ("ignoring a malformed jsep from Janus for %s", from);
    return;
  }
  data = json_object_new ();
  description = json_object_new ();
  json_object_set_string_member (description, "type", type);
  if (!strcmp (type, "offer")) {
    g_autofree gchar *munged = janus_offer_for_webrtcbin (sdp);
    json_object_set_string_member (description, "sdp", munged);
  } else {
    json_object_set_string_member (description, "sdp", sdp);
  }
  json_object_set_object_member (data, "description", description);
  gst_webrtc_room_signaller_emit_signal (GST_WEBRTC_ROOM_SIGNALLER (self),
      from, data);
}

/* Janus event handling */

static void
emit_welcome (Self * self)
{
  g_autoptr (GstWebRTCRoomMessage) welcome =
      gst_webrtc_room_message_new (GST_WEBRTC_ROOM_MESSAGE_WELCOME);

  welcome->protocol = GST_WEBRTC_ROOM_PROTOCOL_VERSION;
  welcome->room = g_strdup (self->params->room);
  welcome->peer = g_strdup_printf ("janus-%" G_GINT64_FORMAT, self->own_id);
  welcome->peers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      gst_webrtc_room_peer_info_free);
  if (self->cur_publish) {
    g_autoptr (JsonObject) meta = publisher_peer_meta ();
    g_ptr_array_add (welcome->peers,
        gst_webrtc_room_peer_info_new (GST_WEBRTC_ROOM_JANUS_PUBLISHER_PEER,
            "Janus VideoRoom", meta, FALSE));
  }
  gst_webrtc_room_signaller_emit_welcome (GST_WEBRTC_ROOM_SIGNALLER (self),
      welcome, FALSE);
}

static void
handle_publisher_event (Self * self, JsonObject * data, JsonObject * jsep)
{
  const gchar *what = gst_webrtc_room_json_get_string (data, "videoroom");
  gint64 code;

  if (gst_webrtc_room_json_get_int (data, "error_code", &code)) {
    GError *error =
        janus_error (self, code, gst_webrtc_room_json_get_string (data,
            "error"));
    /* not joined, or publishing refused: the element cannot do its job */
    fail (self, error);
    return;
  }
  if (!g_strcmp0 (what, "joined")) {
    if (self->state != STATE_CONNECTING)
      return;
    if (!gst_webrtc_room_json_get_int (data, "id", &self->own_id)) {
      fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
              GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
              "Janus at %s answered the join without an id", self->url));
      return;
    }
    gst_webrtc_room_json_get_int (data, "private_id", &self->private_id);
    clear_source (&self->timeout_source);
    self->state = STATE_JOINED;
    GST_INFO ("joined Janus VideoRoom %" G_GINT64_FORMAT " as %"
        G_GINT64_FORMAT, self->room_id, self->own_id);
    emit_welcome (self);
    /* the welcome handler may have stopped us */
    if (self->state != STATE_JOINED)
      return;
    add_feeds (self, gst_webrtc_room_json_get_array (data, "publishers"));
    return;
  }
  if (self->state != STATE_JOINED)
    return;
  add_feeds (self, gst_webrtc_room_json_get_array (data, "publishers"));
  remove_feed_by_member (self, data, "unpublished", "left");
  remove_feed_by_member (self, data, "leaving", "left");
  remove_feed_by_member (self, data, "kicked", "kicked");
  if (jsep)
    relay_jsep (self, GST_WEBRTC_ROOM_JANUS_PUBLISHER_PEER, jsep);
}

static void
handle_subscriber_event (Self * self, Feed * f, JsonObject * data,
    JsonObject * jsep)
{
  const gchar *what = gst_webrtc_room_json_get_string (data, "videoroom");
  gint64 code;

  if (gst_webrtc_room_json_get_int (data, "error_code", &code)) {
    g_autoptr (GError) error =
        janus_error (self, code, gst_webrtc_room_json_get_string (data,
            "error"));

    /* the publisher left between its announcement and our subscription */
    GST_WARNING ("subscribing to %s failed: %s", f->peer_id, error->message);
    if (code != JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED)
      gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
          error, FALSE);
    remove_feed (self, f, "left");
    return;
  }
  GST_DEBUG ("subscriber event for %s: %s", f->peer_id, what);
  if (jsep)
    relay_jsep (self, f->peer_id, jsep);
}

static void
handle_trickle (Self * self, const gchar * from, JsonObject * msg)
{
  JsonObject *cand = gst_webrtc_room_json_get_object (msg, "candidate");
  g_autoptr (JsonObject) data = json_object_new ();
  JsonObject *out;
  const gchar *candidate;
  gint64 mline;

  if (!cand)
    return;
  candidate = gst_webrtc_room_json_get_string (cand, "candidate");
  if (!candidate) {
    /* {"completed": true} */
    json_object_set_null_member (data, "candidate");
  } else {
    out = json_object_new ();
    json_object_set_string_member (out, "candidate", candidate);
    if (gst_webrtc_room_json_get_string (cand, "sdpMid"))
      json_object_set_string_member (out, "sdpMid",
          gst_webrtc_room_json_get_string (cand, "sdpMid"));
    if (gst_webrtc_room_json_get_int (cand, "sdpMLineIndex", &mline)
        && mline >= 0 && mline < G_MAXINT)
      json_object_set_int_member (out, "sdpMLineIndex", mline);
    json_object_set_object_member (data, "candidate", out);
  }
  gst_webrtc_room_signaller_emit_signal (GST_WEBRTC_ROOM_SIGNALLER (self),
      from, data);
}

static void
handle_success (Self * self, Transaction * t, JsonObject * msg)
{
  JsonObject *data = gst_webrtc_room_json_get_object (msg, "data");
  gint64 id;
  Feed *f;

  switch (t->kind) {
    case TX_CREATE:
      if (!gst_webrtc_room_json_get_int (data, "id", &id)) {
        fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
                GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
                "Janus at %s created a session without an id", self->url));
        return;
      }
      self->session_id = id;
      if (self->keepalive_interval_cur > 0)
        self->keepalive_source = attach_source (self,
            g_timeout_source_new_seconds (self->keepalive_interval_cur),
            on_keepalive);
      attach (self, TX_ATTACH_PUBLISHER, NULL);
      break;
    case TX_ATTACH_PUBLISHER:{
      JsonObject *body;

      if (!gst_webrtc_room_json_get_int (data, "id", &id)) {
        fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
                GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE,
                "Janus at %s attached a handle without an id", self->url));
        return;
      }
      self->publisher_handle = id;
      body = join_body (self, "publisher");
      if (self->params->name && *self->params->name)
        json_object_set_string_member (body, "display", self->params->name);
      send_plugin_message (self, id, body, NULL);
      break;
    }
    case TX_ATTACH_SUBSCRIBER:{
      JsonObject *body, *stream;
      JsonArray *streams;

      if (!gst_webrtc_room_json_get_int (data, "id", &id))
        return;
      f = g_hash_table_lookup (self->feeds, t->peer_id);
      if (!f) {
        /* it left while we attached */
        detach (self, id);
        return;
      }
      f->handle_id = id;
      body = join_body (self, "subscriber");
      streams = json_array_new ();
      stream = json_object_new ();
      json_object_set_int_member (stream, "feed", f->feed_id);
      json_array_add_object_element (streams, stream);
      json_object_set_array_member (body, "streams", streams);
      if (self->private_id)
        json_object_set_int_member (body, "private_id", self->private_id);
      send_plugin_message (self, id, body, NULL);
      break;
    }
    case TX_OTHER:
      break;
  }
}

static void
handle_janus_error (Self * self, Transaction * t, JsonObject * msg)
{
  JsonObject *err = gst_webrtc_room_json_get_object (msg, "error");
  gint64 code = 0;
  GError *error;

  gst_webrtc_room_json_get_int (err, "code", &code);
  error =
      janus_error (self, code, gst_webrtc_room_json_get_string (err, "reason"));
  if (t && (t->kind == TX_CREATE || t->kind == TX_ATTACH_PUBLISHER)) {
    fail (self, error);
    return;
  }
  GST_WARNING ("Janus: %s", error->message);
  if (t && t->kind == TX_ATTACH_SUBSCRIBER) {
    Feed *f = g_hash_table_lookup (self->feeds, t->peer_id);
    if (f)
      remove_feed (self, f, "left");
  }
  g_error_free (error);
}

static void
handle_janus_message (Self * self, JsonObject * msg)
{
  const gchar *janus = gst_webrtc_room_json_get_string (msg, "janus");
  const gchar *tx = gst_webrtc_room_json_get_string (msg, "transaction");
  g_autoptr (GError) error = NULL;
  Transaction *t = NULL;
  gint64 sender = 0;

  if (!janus)
    return;
  if (tx)
    t = g_hash_table_lookup (self->transactions, tx);
  gst_webrtc_room_json_get_int (msg, "sender", &sender);

  if (!strcmp (janus, "success")) {
    if (t) {
      /* handle_success may add transactions: keep ours until done */
      Transaction *owned = NULL;
      gchar *key = NULL;

      g_hash_table_steal_extended (self->transactions, tx,
          (gpointer *) & key, (gpointer *) & owned);
      g_free (key);
      handle_success (self, owned, msg);
      transaction_free (owned);
    }
  } else if (!strcmp (janus, "error")) {
    Transaction *owned = NULL;
    gchar *key = NULL;

    if (t && g_hash_table_steal_extended (self->transactions, tx,
            (gpointer *) & key, (gpointer *) & owned))
      g_free (key);
    handle_janus_error (self, owned, msg);
    if (owned)
      transaction_free (owned);
  } else if (!strcmp (janus, "ack")) {
    /* asynchronous requests: the outcome follows as an event */
  } else if (!strcmp (janus, "event")) {
    JsonObject *plugindata =
        gst_webrtc_room_json_get_object (msg, "plugindata");
    JsonObject *data = gst_webrtc_room_json_get_object (plugindata, "data");
    JsonObject *jsep = gst_webrtc_room_json_get_object (msg, "jsep");
    Feed *f;

    if (tx)
      g_hash_table_remove (self->transactions, tx);
    if (!data)
      return;
    if (sender && sender == self->publisher_handle)
      handle_publisher_event (self, data, jsep);
    else if (sender && (f = find_feed_by_handle (self, sender)))
      handle_subscriber_event (self, f, data, jsep);
  } else if (!strcmp (janus, "trickle")) {
    Feed *f;

    if (sender && sender == self->publisher_handle)
      handle_trickle (self, GST_WEBRTC_ROOM_JANUS_PUBLISHER_PEER, msg);
    else if (sender && (f = find_feed_by_handle (self, sender)))
      handle_trickle (self, f->peer_id, msg);
  } else if (!strcmp (janus, "timeout")) {
    fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
            "Janus at %s timed our session out", self->url));
  } else {
    /* webrtcup, media, slowlink, hangup, detached: informative */
    GST_DEBUG ("Janus %s for handle %" G_GINT64_FORMAT, janus, sender);
  }
}

/* The WebSocket */

static void
on_conn_message (SoupWebsocketConnection * conn, gint type, GBytes * bytes,
    gpointer user_data)
{
  Self *self = user_data;
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const gchar *text = g_bytes_get_data (bytes, &len);
  JsonNode *root;

  if (type != SOUP_WEBSOCKET_DATA_TEXT || !g_utf8_validate (text, len, NULL)) {
    GST_WARNING ("ignoring a non-text frame from Janus");
    return;
  }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, len, &error)) {
    GST_WARNING ("ignoring invalid JSON from Janus: %s", error->message);
    return;
  }
  root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  GST_LOG ("from Janus: %.*s", (gint) MIN (len, 4096), text);
  g_object_ref (self);
  handle_janus_message (self, json_node_get_object (root));
  g_object_unref (self);
}

static void
on_conn_closed (SoupWebsocketConnection * conn, gpointer user_data)
{
  Self *self = user_data;

  fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
          "The connection to Janus at %s closed (code %u)", self->url,
          soup_websocket_connection_get_close_code (conn)));
}

static void
on_connected (GObject * source, GAsyncResult * result, gpointer data)
{
  g_autoptr (GstWebRTCRoomJanusSignaller) self =
      gst_webrtc_room_pending_get (data);
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &error);
  gst_webrtc_room_pending_free (data);
  if (!self)
    return;
  g_clear_object (&self->cancellable);
  if (!conn) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      fail (self, g_error_new (error->domain, error->code,
              "Could not connect to Janus at %s: %s", self->url,
              error->message));
    return;
  }
  self->conn = g_steal_pointer (&conn);
  soup_websocket_connection_set_max_incoming_payload_size (self->conn,
      MAX_INCOMING_PAYLOAD);
  g_signal_connect (self->conn, "message", G_CALLBACK (on_conn_message), self);
  g_signal_connect (self->conn, "closed", G_CALLBACK (on_conn_closed), self);
  send_janus (self, janus_request ("create"), 0, TX_CREATE, NULL);
}

static gboolean
on_connect_timeout (gpointer data)
{
  g_autoptr (GstWebRTCRoomJanusSignaller) self =
      gst_webrtc_room_pending_get (data);

  if (!self)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&self->timeout_source, g_source_unref);
  if (self->state == STATE_CONNECTING)
    fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
            "Could not join VideoRoom %s at Janus %s within %u ms",
            self->params->room, self->url, self->connect_timeout_cur));
  return G_SOURCE_REMOVE;
}

/* janus+ws://h:p/x -> ws://h:p/x; plain ws(s) URLs are taken as they are */
static gchar *
websocket_url (const gchar * url, GError ** error)
{
  g_autoptr (GUri) uri = NULL;
  const gchar *scheme;
  const gchar *ws_scheme;

  if (!url || !*url) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "No Janus URL set");
    return NULL;
  }
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (!scheme || !g_uri_get_host (uri) || !*g_uri_get_host (uri)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Invalid Janus URL '%s'", url);
    return NULL;
  }
  if (!g_ascii_strcasecmp (scheme, "janus+ws")
      || !g_ascii_strcasecmp (scheme, "ws")) {
    ws_scheme = "ws";
  } else if (!g_ascii_strcasecmp (scheme, "janus+wss")
      || !g_ascii_strcasecmp (scheme, "wss")) {
    ws_scheme = "wss";
  } else {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Invalid Janus URL '%s': the scheme must be janus+ws or janus+wss",
        url);
    return NULL;
  }
  return g_uri_join (G_URI_FLAGS_NONE, ws_scheme, NULL, g_uri_get_host (uri),
      g_uri_get_port (uri), *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/",
      g_uri_get_query (uri), NULL);
}

static gboolean
on_start (gpointer data)
{
  g_autoptr (GstWebRTCRoomJanusSignaller) self =
      gst_webrtc_room_pending_get (data);
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *protocols[] = { "janus-protocol", NULL };
  guint64 room;

  if (!self)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&self->start_source, g_source_unref);

  self->ws_url = websocket_url (self->url, &error);
  if (!self->ws_url) {
    fail (self, g_steal_pointer (&error));
    return G_SOURCE_REMOVE;
  }
  if (!g_ascii_string_to_unsigned (self->params->room, 10, 1, G_MAXINT64,
          &room, NULL)) {
    fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR,
            GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE, "Janus VideoRoom ids are "
            "numbers: room '%s' is not one", self->params->room));
    return G_SOURCE_REMOVE;
  }
  self->room_id = (gint64) room;

  msg = soup_message_new (SOUP_METHOD_GET, self->ws_url);
  if (!msg) {
    fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
            "Invalid Janus URL '%s'", self->url));
    return G_SOURCE_REMOVE;
  }
  if (self->tls_insecure_cur)
    gst_webrtc_room_signaller_accept_any_certificate (msg);
  g_clear_object (&self->session);
  self->session = gst_webrtc_room_signaller_new_session (self->ca_file_cur,
      0, &error);
  if (!self->session) {
    fail (self, g_steal_pointer (&error));
    return G_SOURCE_REMOVE;
  }
  self->cancellable = g_cancellable_new ();
  self->timeout_source = attach_source (self,
      g_timeout_source_new (self->connect_timeout_cur), on_connect_timeout);
  GST_INFO ("connecting to Janus at %s", self->ws_url);
  g_main_context_push_thread_default (self->context);
  soup_session_websocket_connect_async (self->session, msg, NULL,
      (gchar **) protocols, G_PRIORITY_DEFAULT, self->cancellable,
      on_connected, gst_webrtc_room_pending_new (self, &self->generation));
  g_main_context_pop_thread_default (self->context);
  return G_SOURCE_REMOVE;
}

/* Outgoing signals from the peer sessions */

static void
send_description (Self * self, const gchar * to, JsonObject * description)
{
  const gchar *type = gst_webrtc_room_json_get_string (description, "type");
  const gchar *sdp = gst_webrtc_room_json_get_string (description, "sdp");
  g_autoptr (JsonObject) jsep = NULL;
  JsonObject *body;
  Feed *f;

  if (!type || !sdp)
    return;
  jsep = json_object_new ();
  json_object_set_string_member (jsep, "type", type);
  json_object_set_string_member (jsep, "sdp", sdp);

  if (!strcmp (to, GST_WEBRTC_ROOM_JANUS_PUBLISHER_PEER)) {
    if (strcmp (type, "offer") || !self->publisher_handle)
      return;
    body = json_object_new ();
    /* `publish` once, `configure` to renegotiate (a track added) */
    json_object_set_string_member (body, "request",
        self->published ? "configure" : "publish");
    send_plugin_message (self, self->publisher_handle, body, jsep);
    self->published = TRUE;
    return;
  }
  f = g_hash_table_lookup (self->feeds, to);
  if (!f || !f->handle_id)
    return;
  if (strcmp (type, "answer")) {
    /* Janus offers to subscribers: an offer of ours (a media-timeout
     * restart) has nowhere to go */
    GST_WARNING ("ignoring an offer to Janus subscription %s", to);
    return;
  }
  body = json_object_new ();
  json_object_set_string_member (body, "request", "start");
  json_object_set_int_member (body, "room", self->room_id);
  send_plugin_message (self, f->handle_id, body, jsep);
}

static void
send_candidate (Self * self, const gchar * to, JsonNode * node)
{
  gint64 handle = 0;
  JsonObject *msg, *cand;
  Feed *f;

  if (!strcmp (to, GST_WEBRTC_ROOM_JANUS_PUBLISHER_PEER))
    handle = self->publisher_handle;
  else if ((f = g_hash_table_lookup (self->feeds, to)))
    handle = f->handle_id;
  if (!handle)
    return;
  cand = json_object_new ();
  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *in = json_node_get_object (node);
    gint64 mline;

    if (!gst_webrtc_room_json_get_string (in, "candidate")) {
      json_object_unref (cand);
      return;
    }
    json_object_set_string_member (cand, "candidate",
        gst_webrtc_room_json_get_string (in, "candidate"));
    if (gst_webrtc_room_json_get_string (in, "sdpMid"))
      json_object_set_string_member (cand, "sdpMid",
          gst_webrtc_room_json_get_string (in, "sdpMid"));
    if (gst_webrtc_room_json_get_int (in, "sdpMLineIndex", &mline))
      json_object_set_int_member (cand, "sdpMLineIndex", mline);
  } else {
    json_object_set_boolean_member (cand, "completed", TRUE);
  }
  msg = janus_request ("trickle");
  json_object_set_object_member (msg, "candidate", cand);
  send_janus (self, msg, handle, TX_OTHER, NULL);
}

static void
route_outgoing (Self * self, const gchar * to, JsonObject * data)
{
  JsonObject *description =
      gst_webrtc_room_json_get_object (data, "description");
  JsonNode *candidate = json_object_get_member (data, "candidate");

  /* broadcasts and data channels' extension keys have no Janus meaning */
  if (!to || self->state != STATE_JOINED)
    return;
  if (description)
    send_description (self, to, description);
  else if (candidate && (JSON_NODE_HOLDS_OBJECT (candidate)
          || JSON_NODE_HOLDS_NULL (candidate)))
    send_candidate (self, to, candidate);
}

/* Running code in the signaller's context */

/* Interface */

static void
do_stop (Self * self, gpointer data)
{
  self->generation++;
  teardown (self, TRUE);
  self->state = STATE_IDLE;
}

static void
do_start (Self * self, gpointer data)
{
  const GstWebRTCRoomJoinParams *params = data;

  if (self->state != STATE_IDLE)
    do_stop (self, NULL);
  self->generation++;
  g_clear_pointer (&self->params, gst_webrtc_room_join_params_free);
  self->params = gst_webrtc_room_join_params_copy (params);
  g_mutex_lock (&self->lock);
  g_free (self->url);
  self->url = g_strdup (self->server_url);
  self->cur_publish = self->publish;
  self->cur_subscribe = self->subscribe;
  self->keepalive_interval_cur = self->keepalive_interval;
  self->connect_timeout_cur = self->connect_timeout;
  g_free (self->ca_file_cur);
  self->ca_file_cur = g_strdup (self->ca_file);
  self->tls_insecure_cur = self->tls_insecure;
  gst_webrtc_room_send_queue_open (self->signals, self->context);
  g_mutex_unlock (&self->lock);
  g_clear_pointer (&self->ws_url, g_free);
  self->state = STATE_CONNECTING;
  /* the outcome is always reported from the context, never from start() */
  self->start_source = attach_source (self, g_idle_source_new (), on_start);
}

static void
gst_webrtc_room_janus_signaller_start (GstWebRTCRoomSignaller * signaller,
    const GstWebRTCRoomJoinParams * params)
{
  Self *self = GST_WEBRTC_ROOM_JANUS_SIGNALLER (signaller);
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();

  g_mutex_lock (&self->lock);
  if (self->context)
    g_main_context_unref (self->context);
  self->context = g_main_context_ref (context);
  g_mutex_unlock (&self->lock);
  gst_webrtc_room_signaller_run_in_context (self, context,
      (GstWebRTCRoomContextFunc) do_start, (gpointer) params);
}

static void
gst_webrtc_room_janus_signaller_stop (GstWebRTCRoomSignaller * signaller)
{
  Self *self = GST_WEBRTC_ROOM_JANUS_SIGNALLER (signaller);
  g_autoptr (GMainContext) context = NULL;

  g_mutex_lock (&self->lock);
  gst_webrtc_room_send_queue_close (self->signals);
  context = self->context ? g_main_context_ref (self->context) : NULL;
  g_mutex_unlock (&self->lock);
  if (context)
    gst_webrtc_room_signaller_run_in_context (self, context,
        (GstWebRTCRoomContextFunc) do_stop, NULL);
}

static void
gst_webrtc_room_janus_signaller_send (GstWebRTCRoomSignaller * signaller,
    const gchar * to, JsonObject * data)
{
  Self *self = GST_WEBRTC_ROOM_JANUS_SIGNALLER (signaller);

  if (!gst_webrtc_room_send_queue_push (self->signals, to, data))
    GST_DEBUG_OBJECT (self, "dropping a signal to %s", to ? to : "everyone");
}

static void
signaller_iface_init (GstWebRTCRoomSignallerInterface * iface)
{
  iface->start = gst_webrtc_room_janus_signaller_start;
  iface->stop = gst_webrtc_room_janus_signaller_stop;
  iface->send = gst_webrtc_room_janus_signaller_send;
}

/* GObject */

static void
gst_webrtc_room_janus_signaller_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  Self *self = GST_WEBRTC_ROOM_JANUS_SIGNALLER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_free (self->server_url);
      self->server_url = g_value_dup_string (value);
      break;
    case PROP_PUBLISH:
      self->publish = g_value_get_boolean (value);
      break;
    case PROP_SUBSCRIBE:
      self->subscribe = g_value_get_boolean (value);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      self->keepalive_interval = g_value_get_uint (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      self->connect_timeout = g_value_get_uint (value);
      break;
    case PROP_CA_FILE:
      g_free (self->ca_file);
      self->ca_file = g_value_dup_string (value);
      break;
    case PROP_TLS_INSECURE:
      self->tls_insecure = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_webrtc_room_janus_signaller_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  Self *self = GST_WEBRTC_ROOM_JANUS_SIGNALLER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_PUBLISH:
      g_value_set_boolean (value, self->publish);
      break;
    case PROP_SUBSCRIBE:
      g_value_set_boolean (value, self->subscribe);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_TLS_INSECURE:
      g_value_set_boolean (value, self->tls_insecure);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_webrtc_room_janus_signaller_dispose (GObject * object)
{
  Self *self = GST_WEBRTC_ROOM_JANUS_SIGNALLER (object);

  if (self->state != STATE_IDLE && self->context)
    gst_webrtc_room_janus_signaller_stop (GST_WEBRTC_ROOM_SIGNALLER (self));
  g_clear_object (&self->session);
  G_OBJECT_CLASS (gst_webrtc_room_janus_signaller_parent_class)->dispose
      (object);
}

static void
gst_webrtc_room_janus_signaller_finalize (GObject * object)
{
  Self *self = GST_WEBRTC_ROOM_JANUS_SIGNALLER (object);

  gst_webrtc_room_send_queue_free (self->signals);
  g_free (self->server_url);
  g_free (self->ca_file);
  g_free (self->ca_file_cur);
  g_free (self->url);
  g_free (self->ws_url);
  g_clear_pointer (&self->params, gst_webrtc_room_join_params_free);
  g_hash_table_unref (self->transactions);
  g_hash_table_unref (self->feeds);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (gst_webrtc_room_janus_signaller_parent_class)->finalize
      (object);
}

static void
gst_webrtc_room_janus_signaller_init (Self * self)
{
  g_mutex_init (&self->lock);
  self->server_url = g_strdup (DEFAULT_SERVER_URL);
  self->publish = DEFAULT_PUBLISH;
  self->subscribe = DEFAULT_SUBSCRIBE;
  self->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->signals = gst_webrtc_room_send_queue_new (self,
      (GstWebRTCRoomRouteFunc) route_outgoing, MAX_QUEUED);
  self->transactions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      transaction_free);
  self->feeds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      feed_free);
}

static void
gst_webrtc_room_janus_signaller_class_init (GstWebRTCRoomJanusSignallerClass *
    klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (janus_debug, "webrtcroomjanus", 0,
      "Janus VideoRoom signaller");
  gobject_class->set_property = gst_webrtc_room_janus_signaller_set_property;
  gobject_class->get_property = gst_webrtc_room_janus_signaller_get_property;
  gobject_class->dispose = gst_webrtc_room_janus_signaller_dispose;
  gobject_class->finalize = gst_webrtc_room_janus_signaller_finalize;

  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url",
      "Janus URL", "WebSocket URL of Janus (janus+ws://host:8188/)",
      DEFAULT_SERVER_URL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_PUBLISH] = g_param_spec_boolean ("publish", "Publish",
      "Publish our tracks into the VideoRoom", DEFAULT_PUBLISH,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUBSCRIBE] = g_param_spec_boolean ("subscribe",
      "Subscribe", "Subscribe to every publisher of the VideoRoom",
      DEFAULT_SUBSCRIBE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEEPALIVE_INTERVAL] =
      g_param_spec_uint ("keepalive-interval", "Keepalive interval",
      "Seconds between Janus keepalives (0 = none; Janus times a silent "
      "session out after 60 s by default)", 0, 3600,
      DEFAULT_KEEPALIVE_INTERVAL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECT_TIMEOUT] = g_param_spec_uint ("connect-timeout",
      "Connect timeout", "Milliseconds until the VideoRoom is joined", 100,
      G_MAXINT, DEFAULT_CONNECT_TIMEOUT,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * GstWebRTCRoomJanusSignaller:ca-file:
   *
   * PEM file of the CAs a janus+wss:// server's certificate is checked
   * against instead of the system's (a private CA); one that cannot be
   * read fails the start.
   */
  properties[PROP_CA_FILE] = g_param_spec_string ("ca-file", "CA file",
      "PEM file of the CAs to trust for janus+wss:// (default: the "
      "system's)", NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /**
   * GstWebRTCRoomJanusSignaller:tls-insecure:
   *
   * Accept any certificate from a janus+wss:// server (tests only).
   */
  properties[PROP_TLS_INSECURE] = g_param_spec_boolean ("tls-insecure",
      "TLS insecure", "Accept any janus+wss:// certificate (testing only)",
      FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (gobject_class, N_PROPERTIES, properties);
}

gboolean
gst_webrtc_room_janus_signaller_is_janus_url (const gchar * url)
{
  return url && (!g_ascii_strncasecmp (url, "janus+ws://", 11)
      || !g_ascii_strncasecmp (url, "janus+wss://", 12));
}

GstWebRTCRoomSignaller *
gst_webrtc_room_janus_signaller_new (const gchar * janus_url,
    gboolean publish, gboolean subscribe)
{
  return g_object_new (GST_TYPE_WEBRTC_ROOM_JANUS_SIGNALLER, "server-url",
      janus_url ? janus_url : DEFAULT_SERVER_URL, "publish", publish,
      "subscribe", subscribe, NULL);
}
