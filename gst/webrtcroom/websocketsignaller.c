/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstwebrtcroomwebsocketsignaller
 * @title: GstWebRTCRoomWebSocketSignaller
 * @short_description: room protocol v1 over a WebSocket (libsoup 3)
 *
 * The default #GstWebRTCRoomSignaller: connects to a room server's `/ws`
 * endpoint, joins a room, keeps the connection alive with protocol `ping`
 * frames and, when the connection is lost after a `welcome`, reconnects
 * with exponential backoff and resumes with the token of the last
 * `welcome`, so that the peer keeps its id and its sessions.
 *
 * Threading: gst_webrtc_room_signaller_start() captures the caller's
 * thread-default #GMainContext. Every libsoup call and every signal
 * emission happens while that context is dispatched (or acquired by
 * start()/stop()). gst_webrtc_room_signaller_send() may be called from
 * any thread: it queues the frame and wakes the context. Frames sent
 * before the `welcome` or while the connection is being resumed are
 * queued (at most 1000, oldest dropped first) and sent after the next
 * `welcome`. gst_webrtc_room_signaller_stop() may be called from any
 * thread; when another thread is dispatching the context at that moment,
 * stop() waits for it, so it must not be called while holding a lock a
 * signal handler may need. No signal is emitted after stop() returns.
 */

#include "signaller-private.h"
#include "websocketsignaller.h"

#include <gio/gio.h>
#include <libsoup/soup.h>

#define DEFAULT_SERVER_URL GST_WEBRTC_ROOM_DEFAULT_SERVER_URL
#define DEFAULT_KEEPALIVE_INTERVAL 5    /* s */
#define DEFAULT_RECONNECT_TIMEOUT 30000 /* ms */
#define DEFAULT_CONNECT_TIMEOUT 5000    /* ms */
#define DEFAULT_TLS_INSECURE FALSE

#define MAX_QUEUED_FRAMES 1000
#define BACKOFF_INITIAL_MS 100
#define BACKOFF_MAX_MS 2000
#define MISSED_PONGS_LOST 2
/* Largest frame taken from the server: a welcome listing a full room with
 * each member's meta (4 KiB at most each), relayed signals up to the
 * server's frame limit (64 KiB by default). libsoup closes the connection
 * (1009) on a bigger frame; the signaller then resumes. */
#define MAX_INCOMING_PAYLOAD (4 * 1024 * 1024)

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_KEEPALIVE_INTERVAL,
  PROP_RECONNECT_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_TLS_INSECURE,
  PROP_CA_FILE,
  PROP_PEER_ID,
  PROP_CONNECTED,
  N_PROPERTIES
};

static GParamSpec *properties[N_PROPERTIES];

typedef enum
{
  STATE_IDLE,                   /* never started, or stopped */
  STATE_CONNECTING,             /* first connect + join, before a welcome */
  STATE_JOINED,                 /* welcomed, connection up */
  STATE_RECONNECTING,           /* lost after a welcome, resuming */
  STATE_FAILED,                 /* gave up; a fatal error was emitted */
} State;

struct _GstWebRTCRoomWebSocketSignaller
{
  GObject parent;

  /* Guarded by lock: properties, the outgoing queue and what send()
   * needs to know from any thread. */
  GMutex lock;
  gchar *server_url;
  guint keepalive_interval;
  guint reconnect_timeout;
  guint connect_timeout;
  gboolean tls_insecure;
  gchar *ca_file;
  gchar *peer_id;
  gboolean connected;
  GMainContext *context;
  GQueue outgoing;              /* serialized frames (gchar *) */
  gboolean stopped;             /* send() drops frames */
  gboolean flush_ready;         /* joined: queued frames may be sent */
  GSource *flush_source;
  guint dropped;                /* frames dropped since the last flush */

  /* Owned by the context: only touched while it is dispatched or
   * acquired. */
  State state;
  guint generation;             /* bumped by start/stop: stale callbacks */
  guint attempt;                /* bumped per connection attempt */
  GstWebRTCRoomJoinParams *params;
  gchar *url;                   /* snapshot of server-url at start */
  guint cur_reconnect_timeout;
  guint cur_connect_timeout;
  gboolean cur_tls_insecure;
  gchar *cur_ca_file;
  SoupSession *session;
  SoupWebsocketConnection *conn;
  GCancellable *cancellable;
  gchar *resume_token;
  gchar *own_id;
  guint backoff_ms;
  GError *last_error;           /* last reconnect failure, for the fatal */
  gint64 ping_id;
  gint64 pong_id;
  guint conn_callback_depth;
  gboolean conn_too_big;        /* libsoup cut us off for a frame's size */
  GSource *attempt_timeout_source;
  GSource *retry_source;
  GSource *deadline_source;
  GSource *keepalive_source;
  GSource *start_source;
};

static void signaller_iface_init (GstWebRTCRoomSignallerInterface * iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GstWebRTCRoomWebSocketSignaller,
    gst_webrtc_room_websocket_signaller, G_TYPE_OBJECT,
    G_IMPLEMENT_INTERFACE (GST_TYPE_WEBRTC_ROOM_SIGNALLER,
        signaller_iface_init));

typedef GstWebRTCRoomWebSocketSignaller Self;
typedef GstWebRTCRoomWebSocketSignallerClass SelfClass;

static void begin_connect (Self * self);
static void flush_queue (Self * self);

/* Callback data of sources and async operations: a weak reference, so a
 * pending callback never keeps a stopped signaller alive nor uses a freed
 * one, and the generation/attempt it belongs to. */
typedef struct
{
  GWeakRef ref;
  guint token;
} Pending;

static Pending *
pending_new (Self * self, guint token)
{
  Pending *p = g_new0 (Pending, 1);

  g_weak_ref_init (&p->ref, self);
  p->token = token;
  return p;
}

static void
pending_free (gpointer data)
{
  Pending *p = data;

  g_weak_ref_clear (&p->ref);
  g_free (p);
}

/* Returns a strong reference, or NULL when the signaller is gone. */
static Self *
pending_get (Pending * p)
{
  return g_weak_ref_get (&p->ref);
}

static GSource *
attach_source (Self * self, GSource * source, GSourceFunc func, guint token)
{
  g_source_set_callback (source, func, pending_new (self, token), pending_free);
  g_source_attach (source, self->context);
  return source;
}

static GSource *
add_timeout (Self * self, guint ms, GSourceFunc func)
{
  g_autoptr (GSource) source = g_timeout_source_new (ms);

  return attach_source (self, g_steal_pointer (&source), func,
      self->generation);
}

static void
clear_source (GSource ** source)
{
  if (*source) {
    g_source_destroy (*source);
    g_source_unref (*source);
    *source = NULL;
  }
}

/* Guarded state */

static void
set_peer_id (Self * self, const gchar * id, gboolean connected)
{
  gboolean id_changed, connected_changed;

  g_mutex_lock (&self->lock);
  id_changed = g_strcmp0 (self->peer_id, id) != 0;
  if (id_changed) {
    g_free (self->peer_id);
    self->peer_id = g_strdup (id);
  }
  connected_changed = self->connected != connected;
  self->connected = connected;
  g_mutex_unlock (&self->lock);

  if (id_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PEER_ID]);
  if (connected_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static gboolean
on_flush (gpointer data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = pending_get (data);

  if (!self)
    return G_SOURCE_REMOVE;

  g_mutex_lock (&self->lock);
  if (self->flush_source == g_main_current_source ())
    g_clear_pointer (&self->flush_source, g_source_unref);
  g_mutex_unlock (&self->lock);

  flush_queue (self);
  return G_SOURCE_REMOVE;
}

/* Call with the lock held. */
static void
schedule_flush_locked (Self * self)
{
  g_autoptr (GSource) source = NULL;

  if (!self->flush_ready || self->flush_source || !self->context)
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "GstWebRTCRoomWebSocketSignaller flush");
  self->flush_source = attach_source (self, g_steal_pointer (&source),
      on_flush, 0);
}

/* Returns how many queued frames were dropped. */
static guint
set_flush_ready (Self * self, gboolean ready, gboolean drop_queue)
{
  guint dropped;

  g_mutex_lock (&self->lock);
  self->flush_ready = ready;
  if (!ready)
    clear_source (&self->flush_source);
  dropped = drop_queue ? g_queue_get_length (&self->outgoing) : 0;
  if (drop_queue)
    g_queue_clear_full (&self->outgoing, g_free);
  g_mutex_unlock (&self->lock);

  if (dropped)
    g_debug ("dropped %u queued frames", dropped);
  return dropped;
}

static gchar *
pop_frame (Self * self)
{
  gchar *frame;

  g_mutex_lock (&self->lock);
  frame = g_queue_pop_head (&self->outgoing);
  if (!frame)
    self->dropped = 0;
  g_mutex_unlock (&self->lock);
  return frame;
}

static void
push_back_frame (Self * self, gchar * frame)
{
  g_mutex_lock (&self->lock);
  g_queue_push_head (&self->outgoing, frame);
  g_mutex_unlock (&self->lock);
}

/* Connection helpers (context) */

static gboolean
conn_is_open (Self * self)
{
  return self->conn && soup_websocket_connection_get_state (self->conn) ==
      SOUP_WEBSOCKET_STATE_OPEN;
}

static void
send_text (Self * self, const gchar * text)
{
  if (!conn_is_open (self))
    return;
  g_debug ("-> %s", text);
  g_main_context_push_thread_default (self->context);
  soup_websocket_connection_send_text (self->conn, text);
  g_main_context_pop_thread_default (self->context);
}

static void
flush_queue (Self * self)
{
  gchar *frame;

  while (self->state == STATE_JOINED && (frame = pop_frame (self))) {
    if (!conn_is_open (self)) {
      push_back_frame (self, frame);
      return;
    }
    send_text (self, frame);
    g_free (frame);
  }
}

static gboolean
unref_later (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
release_in_context (GMainContext * context, gpointer object)
{
  g_autoptr (GSource) source = NULL;

  if (!object)
    return;
  source = g_idle_source_new ();
  g_source_set_callback (source, unref_later, object, NULL);
  g_source_attach (source, context);
}

/* Forgets the current connection. @clean sends a close frame (1000): the
 * server then removes us from the room at once; without it the socket is
 * just closed, which the server treats as a lost connection (resumable). */
static void
drop_connection (Self * self, gboolean clean)
{
  SoupWebsocketConnection *conn = g_steal_pointer (&self->conn);

  if (!conn)
    return;
  g_signal_handlers_disconnect_by_data (conn, self);
  /* libsoup attaches its sources to the thread-default context */
  g_main_context_push_thread_default (self->context);
  if (clean && soup_websocket_connection_get_state (conn) ==
      SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);

  /* Disposing the connection closes its stream. Never do that from inside
   * one of its own signal emissions: libsoup still uses it afterwards. */
  if (self->conn_callback_depth > 0) {
    release_in_context (self->context, conn);
  } else {
    g_object_unref (conn);
  }
  g_main_context_pop_thread_default (self->context);
}

static void
cancel_attempt (Self * self)
{
  self->attempt++;
  if (self->cancellable) {
    g_cancellable_cancel (self->cancellable);
    g_clear_object (&self->cancellable);
  }
  clear_source (&self->attempt_timeout_source);
}

/* Stops everything in flight; the caller decides the new state. */
static void
teardown (Self * self, gboolean clean_close)
{
  cancel_attempt (self);
  clear_source (&self->retry_source);
  clear_source (&self->deadline_source);
  clear_source (&self->keepalive_source);
  clear_source (&self->start_source);
  drop_connection (self, clean_close);
  g_clear_error (&self->last_error);
}

static void
fail (Self * self, GError * error)
{
  g_autoptr (GError) owned = error;

  g_debug ("giving up: %s", error->message);
  teardown (self, TRUE);
  self->state = STATE_FAILED;
  set_flush_ready (self, FALSE, TRUE);
  set_peer_id (self, NULL, FALSE);
  gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
      owned, TRUE);
}

/* Reconnection */

static gboolean
on_retry (gpointer data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = pending_get (data);
  Pending *p = data;

  if (!self || p->token != self->generation)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&self->retry_source, g_source_unref);
  begin_connect (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (Self * self)
{
  guint delay = self->backoff_ms + g_random_int_range (0,
      self->backoff_ms / 5 + 1);

  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
  g_debug ("reconnecting to %s in %u ms", self->url, delay);
  clear_source (&self->retry_source);
  self->retry_source = add_timeout (self, delay, on_retry);
}

static void
attempt_failed (Self * self, const GError * error)
{
  cancel_attempt (self);
  drop_connection (self, FALSE);
  g_clear_error (&self->last_error);
  self->last_error = g_error_copy (error);
  g_debug ("reconnect attempt failed: %s", error->message);
  schedule_retry (self);
}

static gboolean
on_reconnect_deadline (gpointer data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = pending_get (data);
  Pending *p = data;

  if (!self || p->token != self->generation)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&self->deadline_source, g_source_unref);
  fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
          "Lost the connection to room server %s and could not resume "
          "within %u ms%s%s", self->url, self->cur_reconnect_timeout,
          self->last_error ? ": " : "",
          self->last_error ? self->last_error->message : ""));
  return G_SOURCE_REMOVE;
}

static void
connection_lost (Self * self, GError * error)
{
  g_autoptr (GError) owned = error;
  guint gen = self->generation;

  g_debug ("connection lost: %s", error->message);
  clear_source (&self->keepalive_source);
  cancel_attempt (self);
  drop_connection (self, FALSE);
  set_flush_ready (self, FALSE, FALSE);
  self->state = STATE_RECONNECTING;

  if (self->cur_reconnect_timeout == 0) {
    fail (self, g_error_new (error->domain, error->code,
            "%s (reconnect-timeout is 0: not reconnecting)", error->message));
    return;
  }

  set_peer_id (self, self->own_id, FALSE);
  if (gen != self->generation)
    return;

  g_clear_error (&self->last_error);
  self->last_error = g_error_copy (error);
  self->backoff_ms = BACKOFF_INITIAL_MS;
  clear_source (&self->deadline_source);
  self->deadline_source = add_timeout (self, self->cur_reconnect_timeout,
      on_reconnect_deadline);
  schedule_retry (self);

  gst_webrtc_room_signaller_emit_connection_lost (GST_WEBRTC_ROOM_SIGNALLER
      (self), owned);
}

/* Keepalive */

static void
send_ping (Self * self)
{
  g_autoptr (JsonNode) id = json_node_new (JSON_NODE_VALUE);
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_PING };
  g_autofree gchar *text = NULL;

  json_node_set_int (id, ++self->ping_id);
  msg.id = id;
  text = gst_webrtc_room_message_serialize (&msg, GST_WEBRTC_ROOM_TO_SERVER);
  send_text (self, text);
}

static gboolean
on_keepalive (gpointer data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = pending_get (data);
  Pending *p = data;
  guint interval;

  if (!self || p->token != self->generation || self->state != STATE_JOINED)
    return G_SOURCE_REMOVE;

  if (self->ping_id - self->pong_id >= MISSED_PONGS_LOST) {
    g_mutex_lock (&self->lock);
    interval = self->keepalive_interval;
    g_mutex_unlock (&self->lock);
    g_clear_pointer (&self->keepalive_source, g_source_unref);
    connection_lost (self, g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
            "Room server %s did not answer pings for %u s", self->url,
            interval * MISSED_PONGS_LOST));
    return G_SOURCE_REMOVE;
  }
  send_ping (self);
  return G_SOURCE_CONTINUE;
}

static void
start_keepalive (Self * self)
{
  guint interval;
  g_autoptr (GSource) source = NULL;

  g_mutex_lock (&self->lock);
  interval = self->keepalive_interval;
  g_mutex_unlock (&self->lock);

  clear_source (&self->keepalive_source);
  self->ping_id = self->pong_id = 0;
  if (interval == 0)
    return;
  source = g_timeout_source_new_seconds (interval);
  self->keepalive_source = attach_source (self, g_steal_pointer (&source),
      on_keepalive, self->generation);
}

static void
handle_pong (Self * self, const GstWebRTCRoomMessage * msg)
{
  if (msg->id && JSON_NODE_HOLDS_VALUE (msg->id)
      && json_node_get_value_type (msg->id) == G_TYPE_INT64)
    self->pong_id = MAX (self->pong_id, json_node_get_int (msg->id));
  else
    self->pong_id = self->ping_id;
}

/* Incoming frames */

static void
handle_welcome (Self * self, const GstWebRTCRoomMessage * msg)
{
  gboolean resuming = self->state == STATE_RECONNECTING;
  gboolean resumed = resuming && g_strcmp0 (self->own_id, msg->peer) == 0;
  guint gen = self->generation;
  guint dropped;

  if (self->state == STATE_JOINED) {
    g_debug ("ignoring a second welcome");
    return;
  }
  if (msg->protocol != GST_WEBRTC_ROOM_PROTOCOL_VERSION)
    g_warning ("room server %s speaks protocol version %d, expected %d",
        self->url, msg->protocol, GST_WEBRTC_ROOM_PROTOCOL_VERSION);

  clear_source (&self->attempt_timeout_source);
  g_clear_object (&self->cancellable);
  clear_source (&self->deadline_source);
  clear_source (&self->retry_source);
  g_clear_error (&self->last_error);
  self->backoff_ms = BACKOFF_INITIAL_MS;
  self->state = STATE_JOINED;
  g_free (self->resume_token);
  self->resume_token = g_strdup (msg->resume);
  g_free (self->own_id);
  self->own_id = g_strdup (msg->peer);

  if (resumed)
    g_debug ("resumed as %s", msg->peer);
  else if (resuming)
    g_debug ("not resumed: new peer id %s", msg->peer);

  start_keepalive (self);
  /* Frames queued while disconnected belonged to the old identity when
   * the server gave us a new one. */
  dropped = set_flush_ready (self, TRUE, resuming && !resumed);
  if (dropped)
    g_warning ("room server %s did not resume the session (new peer id): "
        "%u frames queued for the previous session dropped", self->url,
        dropped);
  flush_queue (self);

  set_peer_id (self, msg->peer, TRUE);
  if (gen != self->generation)
    return;
  gst_webrtc_room_signaller_emit_welcome (GST_WEBRTC_ROOM_SIGNALLER (self),
      msg, resumed);
}

static void
handle_server_error (Self * self, const GstWebRTCRoomMessage * msg)
{
  const gchar *text = msg->message ? msg->message : "(no message)";
  GError *error;

  /* Before the welcome, join is the only frame we sent: the error answers
   * it (room-full, unauthorized, bad-message, too-large...) */
  if (self->state != STATE_JOINED) {
    fail (self, g_error_new (GST_WEBRTC_ROOM_ERROR, msg->code,
            "Could not join room '%s' on %s: %s (%s)", self->params->room,
            self->url, text, msg->code_string));
    return;
  }

  error = g_error_new (GST_WEBRTC_ROOM_ERROR, msg->code,
      "Room server %s reported an error: %s (%s%s%s)", self->url, text,
      msg->code_string, msg->ref ? ", in answer to " : "",
      msg->ref ? msg->ref : "");
  g_debug ("%s", error->message);
  gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
      error, FALSE);
  g_error_free (error);
}

static void
handle_message (Self * self, const GstWebRTCRoomMessage * msg)
{
  GstWebRTCRoomSignaller *signaller = GST_WEBRTC_ROOM_SIGNALLER (self);

  switch (msg->type) {
    case GST_WEBRTC_ROOM_MESSAGE_WELCOME:
      handle_welcome (self, msg);
      return;
    case GST_WEBRTC_ROOM_MESSAGE_ERROR:
      handle_server_error (self, msg);
      return;
    case GST_WEBRTC_ROOM_MESSAGE_PONG:
      handle_pong (self, msg);
      return;
    default:
      break;
  }

  if (self->state != STATE_JOINED) {
    g_debug ("ignoring a %s frame before welcome",
        gst_webrtc_room_message_type_to_string (msg->type));
    return;
  }

  switch (msg->type) {
    case GST_WEBRTC_ROOM_MESSAGE_PEER_JOINED:
      gst_webrtc_room_signaller_emit_peer_joined (signaller, msg->peer_info);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_PEER_LEFT:
      gst_webrtc_room_signaller_emit_peer_left (signaller, msg->peer,
          gst_webrtc_room_peer_left_reason_to_string (msg->reason));
      break;
    case GST_WEBRTC_ROOM_MESSAGE_SIGNAL:
      gst_webrtc_room_signaller_emit_signal (signaller, msg->from, msg->data);
      break;
    case GST_WEBRTC_ROOM_MESSAGE_BROADCAST:
      gst_webrtc_room_signaller_emit_broadcast (signaller, msg->from,
          msg->data);
      break;
    default:
      g_debug ("ignoring a %s frame",
          gst_webrtc_room_message_type_to_string (msg->type));
      break;
  }
}

static void
report_bad_frame (Self * self, const GError * parse_error)
{
  g_autoptr (GError) error = g_error_new (parse_error->domain,
      parse_error->code, "Room server %s sent an invalid frame: %s",
      self->url, parse_error->message);

  /* not g_warning: a room member can cause it (deep data relayed to us),
   * and applications running with fatal warnings must not abort; the
   * error signal below reports it */
  g_info ("%s", error->message);
  gst_webrtc_room_signaller_emit_error (GST_WEBRTC_ROOM_SIGNALLER (self),
      error, FALSE);
}

static void
on_conn_message (SoupWebsocketConnection * conn, gint type, GBytes * bytes,
    gpointer user_data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = g_object_ref (user_data);
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *data;
  gsize len;

  if (conn != self->conn)
    return;

  self->conn_callback_depth++;
  data = g_bytes_get_data (bytes, &len);
  if (type != SOUP_WEBSOCKET_DATA_TEXT) {
    g_set_error_literal (&error, GST_WEBRTC_ROOM_ERROR,
        GST_WEBRTC_ROOM_ERROR_BAD_JSON, "binary frame");
    report_bad_frame (self, error);
  } else {
    g_debug ("<- %.*s", (gint) MIN (len, 4096), data);
    /* the codec checks depth, UTF-8 and values before json-glib sees it */
    msg = gst_webrtc_room_message_parse (data, len,
        GST_WEBRTC_ROOM_TO_CLIENT, NULL, &error);
    if (msg)
      handle_message (self, msg);
    else
      report_bad_frame (self, error);
  }
  self->conn_callback_depth--;
}

static GError *
closed_error (Self * self, gushort code, const gchar * data)
{
  const gchar *detail = data && *data ? data : NULL;

  switch (code) {
    case SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION:
      return g_error_new (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
          "Room server %s refused the connection (policy violation, "
          "close code %u)%s%s", self->url, code, detail ? ": " : "",
          detail ? detail : "");
    case SOUP_WEBSOCKET_CLOSE_TOO_BIG:
      return g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
          "Room server %s closed the connection: a frame was too large "
          "(close code %u)%s%s", self->url, code, detail ? ": " : "",
          detail ? detail : "");
    case 0:
    case SOUP_WEBSOCKET_CLOSE_ABNORMAL:
      return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
          "Lost the connection to room server %s (closed without a close "
          "frame)", self->url);
    default:
      return g_error_new (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
          "Room server %s closed the connection (close code %u)%s%s",
          self->url, code, detail ? ": " : "", detail ? detail : "");
  }
}

static void
on_conn_closed (SoupWebsocketConnection * conn, gpointer user_data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = g_object_ref (user_data);
  GError *error;

  if (conn != self->conn)
    return;

  self->conn_callback_depth++;
  if (self->conn_too_big)
    /* libsoup drops the socket without a close code then */
    error = g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
        "Room server %s sent a frame above our limit of %u bytes",
        self->url, MAX_INCOMING_PAYLOAD);
  else
    error = closed_error (self,
        soup_websocket_connection_get_close_code (conn),
        soup_websocket_connection_get_close_data (conn));
  switch (self->state) {
    case STATE_CONNECTING:
      fail (self, error);
      break;
    case STATE_JOINED:
      connection_lost (self, error);
      break;
    case STATE_RECONNECTING:
      attempt_failed (self, error);
      g_error_free (error);
      break;
    default:
      drop_connection (self, FALSE);
      g_error_free (error);
      break;
  }
  self->conn_callback_depth--;
}

static void
on_conn_error (SoupWebsocketConnection * conn, GError * error,
    gpointer user_data)
{
  Self *self = user_data;

  /* "closed" follows and decides what to do */
  g_debug ("WebSocket error: %s", error->message);
  if (conn == self->conn && g_error_matches (error, SOUP_WEBSOCKET_ERROR,
          SOUP_WEBSOCKET_CLOSE_TOO_BIG))
    self->conn_too_big = TRUE;
}

/* Connecting */

static void
send_join (Self * self)
{
  const GstWebRTCRoomJoinParams *p = self->params;
  g_autofree gchar *join = NULL;

  join = gst_webrtc_room_build_join (p->room, p->name, p->meta, p->offers,
      p->token, self->state == STATE_RECONNECTING ? self->resume_token : NULL);
  send_text (self, join);
}

static void
on_connected (GObject * source, GAsyncResult * result, gpointer data)
{
  Pending *p = data;
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = pending_get (p);
  g_autoptr (SoupWebsocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) report = NULL;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source),
      result, &error);
  if (!self || p->token != self->attempt) {
    pending_free (p);
    return;
  }
  pending_free (p);
  g_clear_object (&self->cancellable);

  if (!conn) {
    if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      return;
    report = g_error_new (error->domain, error->code,
        "Could not connect to room server %s: %s", self->url, error->message);
    if (self->state == STATE_CONNECTING)
      fail (self, g_steal_pointer (&report));
    else
      attempt_failed (self, report);
    return;
  }

  g_debug ("connected to %s", self->url);
  self->conn = g_steal_pointer (&conn);
  self->conn_too_big = FALSE;
  soup_websocket_connection_set_max_incoming_payload_size (self->conn,
      MAX_INCOMING_PAYLOAD);
  g_signal_connect (self->conn, "message", G_CALLBACK (on_conn_message), self);
  g_signal_connect (self->conn, "closed", G_CALLBACK (on_conn_closed), self);
  g_signal_connect (self->conn, "error", G_CALLBACK (on_conn_error), self);
  send_join (self);
}

static gboolean
on_attempt_timeout (gpointer data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = pending_get (data);
  g_autoptr (GError) error = NULL;
  Pending *p = data;

  if (!self || p->token != self->attempt)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&self->attempt_timeout_source, g_source_unref);

  error = g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
      "Could not connect to room server %s: no welcome within %u ms",
      self->url, self->cur_connect_timeout);
  if (self->state == STATE_CONNECTING)
    fail (self, g_steal_pointer (&error));
  else if (self->state == STATE_RECONNECTING)
    attempt_failed (self, error);
  return G_SOURCE_REMOVE;
}

static gboolean
accept_any_certificate (SoupMessage * msg, GTlsCertificate * certificate,
    GTlsCertificateFlags errors, gpointer user_data)
{
  return TRUE;
}

static GError *
check_url (const gchar * url)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GError) error = NULL;
  const gchar *scheme;

  if (!url || !*url)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "No room server URL set");
  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  if (!uri)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Invalid room server URL '%s': %s", url, error->message);
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "ws") != 0
      && g_ascii_strcasecmp (scheme, "wss") != 0)
    return g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Invalid room server URL '%s': the scheme must be ws or wss", url);
  if (!g_uri_get_host (uri) || !*g_uri_get_host (uri))
    return g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Invalid room server URL '%s': no host", url);
  return NULL;
}

static void
begin_connect (Self * self)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GSource) timeout = NULL;

  cancel_attempt (self);
  drop_connection (self, FALSE);

  msg = soup_message_new (SOUP_METHOD_GET, self->url);
  if (!msg) {
    fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
            "Invalid room server URL '%s'", self->url));
    return;
  }
  if (self->cur_tls_insecure)
    g_signal_connect (msg, "accept-certificate",
        G_CALLBACK (accept_any_certificate), NULL);

  if (!self->session) {
    g_autoptr (GTlsDatabase) database = NULL;
    g_autoptr (GError) error = NULL;

    /* a private CA for wss:// (instead of the system's trust store) */
    if (self->cur_ca_file) {
      database = g_tls_file_database_new (self->cur_ca_file, &error);
      if (!database) {
        fail (self, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                "Cannot load the CA file '%s': %s", self->cur_ca_file,
                error->message));
        return;
      }
    }
    self->session = soup_session_new_with_options ("user-agent",
        "gst-webrtc-rooms", database ? "tls-database" : NULL, database, NULL);
  }

  self->cancellable = g_cancellable_new ();
  timeout = g_timeout_source_new (self->cur_connect_timeout);
  self->attempt_timeout_source = attach_source (self,
      g_steal_pointer (&timeout), on_attempt_timeout, self->attempt);

  g_debug ("connecting to %s (attempt %u)", self->url, self->attempt);
  g_main_context_push_thread_default (self->context);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL,
      G_PRIORITY_DEFAULT, self->cancellable, on_connected,
      pending_new (self, self->attempt));
  g_main_context_pop_thread_default (self->context);
}

static gboolean
on_start (gpointer data)
{
  g_autoptr (GstWebRTCRoomWebSocketSignaller) self = pending_get (data);
  Pending *p = data;
  GError *error;

  if (!self || p->token != self->generation)
    return G_SOURCE_REMOVE;
  g_clear_pointer (&self->start_source, g_source_unref);

  if ((error = check_url (self->url))) {
    fail (self, error);
    return G_SOURCE_REMOVE;
  }
  begin_connect (self);
  return G_SOURCE_REMOVE;
}

/* Running code in the signaller's context from any thread */

/* Interface */

static void
do_stop (Self * self, gpointer data)
{
  gboolean joined = self->state == STATE_JOINED;

  self->generation++;
  if (joined && conn_is_open (self)) {
    GstWebRTCRoomMessage leave = {.type = GST_WEBRTC_ROOM_MESSAGE_LEAVE };
    g_autofree gchar *text =
        gst_webrtc_room_message_serialize (&leave, GST_WEBRTC_ROOM_TO_SERVER);

    send_text (self, text);
  }
  teardown (self, TRUE);
  self->state = STATE_IDLE;
  g_clear_pointer (&self->resume_token, g_free);
  g_clear_pointer (&self->own_id, g_free);

  g_mutex_lock (&self->lock);
  self->stopped = TRUE;
  g_mutex_unlock (&self->lock);
  set_flush_ready (self, FALSE, TRUE);
  set_peer_id (self, NULL, FALSE);
}

static void
do_start (Self * self, gpointer data)
{
  const GstWebRTCRoomJoinParams *params = data;
  g_autoptr (GSource) source = NULL;

  if (self->state != STATE_IDLE && self->state != STATE_FAILED)
    do_stop (self, NULL);

  self->generation++;
  g_clear_pointer (&self->params, gst_webrtc_room_join_params_free);
  self->params = gst_webrtc_room_join_params_copy (params);

  g_mutex_lock (&self->lock);
  g_free (self->url);
  self->url = g_strdup (self->server_url);
  self->cur_reconnect_timeout = self->reconnect_timeout;
  self->cur_connect_timeout = self->connect_timeout;
  self->cur_tls_insecure = self->tls_insecure;
  g_free (self->cur_ca_file);
  self->cur_ca_file = g_strdup (self->ca_file);
  self->stopped = FALSE;
  self->flush_ready = FALSE;
  self->dropped = 0;
  g_mutex_unlock (&self->lock);

  self->state = STATE_CONNECTING;
  /* The outcome is always reported from the context, never from start() */
  source = g_idle_source_new ();
  g_source_set_static_name (source, "GstWebRTCRoomWebSocketSignaller start");
  self->start_source = attach_source (self, g_steal_pointer (&source),
      on_start, self->generation);
}

static void
gst_webrtc_room_websocket_signaller_start (GstWebRTCRoomSignaller * signaller,
    const GstWebRTCRoomJoinParams * params)
{
  Self *self = GST_WEBRTC_ROOM_WEBSOCKET_SIGNALLER (signaller);
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();
  g_autoptr (GMainContext) old = NULL;

  g_mutex_lock (&self->lock);
  old = self->context;
  self->context = g_main_context_ref (context);
  g_mutex_unlock (&self->lock);

  if (old && old != context)
    g_warning ("GstWebRTCRoomWebSocketSignaller restarted from another "
        "main context");
  gst_webrtc_room_signaller_run_in_context (self, context,
      (GstWebRTCRoomContextFunc) do_start, (gpointer) params);
}

static void
gst_webrtc_room_websocket_signaller_stop (GstWebRTCRoomSignaller * signaller)
{
  Self *self = GST_WEBRTC_ROOM_WEBSOCKET_SIGNALLER (signaller);
  g_autoptr (GMainContext) context = NULL;

  g_mutex_lock (&self->lock);
  self->stopped = TRUE;
  clear_source (&self->flush_source);
  g_queue_clear_full (&self->outgoing, g_free);
  context = self->context ? g_main_context_ref (self->context) : NULL;
  g_mutex_unlock (&self->lock);

  if (context)
    gst_webrtc_room_signaller_run_in_context (self, context,
        (GstWebRTCRoomContextFunc) do_stop, NULL);
}

static gchar *
serialize_outgoing (const gchar * to, JsonObject * data)
{
  GstWebRTCRoomMessage msg = {.type = GST_WEBRTC_ROOM_MESSAGE_BROADCAST,
    .data = data
  };

  if (to)
    return gst_webrtc_room_build_signal (to, data, GST_WEBRTC_ROOM_TO_SERVER);
  return gst_webrtc_room_message_serialize (&msg, GST_WEBRTC_ROOM_TO_SERVER);
}

static void
gst_webrtc_room_websocket_signaller_send (GstWebRTCRoomSignaller * signaller,
    const gchar * to, JsonObject * data)
{
  Self *self = GST_WEBRTC_ROOM_WEBSOCKET_SIGNALLER (signaller);
  gchar *frame = serialize_outgoing (to, data);
  gboolean warn = FALSE;

  g_mutex_lock (&self->lock);
  if (self->stopped) {
    g_mutex_unlock (&self->lock);
    g_debug ("signaller stopped: dropping a frame");
    g_free (frame);
    return;
  }
  g_queue_push_tail (&self->outgoing, frame);
  while (g_queue_get_length (&self->outgoing) > MAX_QUEUED_FRAMES) {
    g_free (g_queue_pop_head (&self->outgoing));
    warn = self->dropped++ == 0;
  }
  schedule_flush_locked (self);
  g_mutex_unlock (&self->lock);

  if (warn)
    g_warning ("more than %d signalling frames queued while not connected "
        "to the room server: dropping the oldest", MAX_QUEUED_FRAMES);
}

static void
signaller_iface_init (GstWebRTCRoomSignallerInterface * iface)
{
  iface->start = gst_webrtc_room_websocket_signaller_start;
  iface->stop = gst_webrtc_room_websocket_signaller_stop;
  iface->send = gst_webrtc_room_websocket_signaller_send;
}

/* GObject */

static void
gst_webrtc_room_websocket_signaller_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec)
{
  Self *self = GST_WEBRTC_ROOM_WEBSOCKET_SIGNALLER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_free (self->server_url);
      self->server_url = g_value_dup_string (value);
      if (!self->server_url)
        self->server_url = g_strdup (DEFAULT_SERVER_URL);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      self->keepalive_interval = g_value_get_uint (value);
      break;
    case PROP_RECONNECT_TIMEOUT:
      self->reconnect_timeout = g_value_get_uint (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      self->connect_timeout = g_value_get_uint (value);
      break;
    case PROP_TLS_INSECURE:
      self->tls_insecure = g_value_get_boolean (value);
      break;
    case PROP_CA_FILE:
      g_free (self->ca_file);
      self->ca_file = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_webrtc_room_websocket_signaller_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec)
{
  Self *self = GST_WEBRTC_ROOM_WEBSOCKET_SIGNALLER (object);

  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_KEEPALIVE_INTERVAL:
      g_value_set_uint (value, self->keepalive_interval);
      break;
    case PROP_RECONNECT_TIMEOUT:
      g_value_set_uint (value, self->reconnect_timeout);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_TLS_INSECURE:
      g_value_set_boolean (value, self->tls_insecure);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_PEER_ID:
      g_value_set_string (value, self->peer_id);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_webrtc_room_websocket_signaller_dispose (GObject * object)
{
  Self *self = GST_WEBRTC_ROOM_WEBSOCKET_SIGNALLER (object);

  /* Normally stopped already; without stop() the connection is just
   * dropped (the server keeps the peer for its resume grace period). */
  self->generation++;
  g_mutex_lock (&self->lock);
  clear_source (&self->flush_source);
  g_mutex_unlock (&self->lock);

  if (!self->context || g_main_context_acquire (self->context)) {
    teardown (self, FALSE);
    g_clear_object (&self->session);
    if (self->context)
      g_main_context_release (self->context);
  } else {
    /* Another thread is dispatching the context: libsoup objects are not
     * thread safe, release them there. */
    if (self->conn)
      g_signal_handlers_disconnect_by_data (self->conn, self);
    release_in_context (self->context, g_steal_pointer (&self->conn));
    release_in_context (self->context, g_steal_pointer (&self->session));
    teardown (self, FALSE);
  }

  G_OBJECT_CLASS (gst_webrtc_room_websocket_signaller_parent_class)->dispose
      (object);
}

static void
gst_webrtc_room_websocket_signaller_finalize (GObject * object)
{
  Self *self = GST_WEBRTC_ROOM_WEBSOCKET_SIGNALLER (object);

  g_queue_clear_full (&self->outgoing, g_free);
  g_free (self->server_url);
  g_free (self->ca_file);
  g_free (self->cur_ca_file);
  g_free (self->peer_id);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->params, gst_webrtc_room_join_params_free);
  g_free (self->url);
  g_free (self->resume_token);
  g_free (self->own_id);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (gst_webrtc_room_websocket_signaller_parent_class)->finalize
      (object);
}

static void
gst_webrtc_room_websocket_signaller_class_init (SelfClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->set_property =
      gst_webrtc_room_websocket_signaller_set_property;
  gobject_class->get_property =
      gst_webrtc_room_websocket_signaller_get_property;
  gobject_class->dispose = gst_webrtc_room_websocket_signaller_dispose;
  gobject_class->finalize = gst_webrtc_room_websocket_signaller_finalize;

  /**
   * GstWebRTCRoomWebSocketSignaller:server-url:
   *
   * ws:// or wss:// URL of the room server's WebSocket endpoint (`/ws`).
   * Read when the signaller starts.
   */
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url",
      "Server URL", "ws:// or wss:// URL of the room server's /ws endpoint",
      DEFAULT_SERVER_URL,
      G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS);

  /**
   * GstWebRTCRoomWebSocketSignaller:keepalive-interval:
   *
   * Seconds between application `ping` frames. When no `pong` answers
   * for two intervals, the connection counts as lost (and is resumed).
   * 0 disables the keepalive.
   */
  properties[PROP_KEEPALIVE_INTERVAL] =
      g_param_spec_uint ("keepalive-interval", "Keepalive interval",
      "Seconds between pings; no pong for 2 intervals = connection lost "
      "(0 = off)", 0, 3600, DEFAULT_KEEPALIVE_INTERVAL,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * GstWebRTCRoomWebSocketSignaller:reconnect-timeout:
   *
   * Milliseconds to keep reconnecting and resuming after the connection
   * was lost (exponential backoff from 100 ms to 2 s) before a fatal
   * error. 0 makes a lost connection fatal at once.
   */
  properties[PROP_RECONNECT_TIMEOUT] =
      g_param_spec_uint ("reconnect-timeout", "Reconnect timeout",
      "Milliseconds to keep reconnecting after a lost connection before a "
      "fatal error (0 = do not reconnect)", 0, G_MAXUINT,
      DEFAULT_RECONNECT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * GstWebRTCRoomWebSocketSignaller:connect-timeout:
   *
   * Milliseconds one connection attempt may take, from the TCP connect to
   * the `welcome`. On the first connection, running out of it is a fatal
   * error; while reconnecting, the attempt is retried.
   */
  properties[PROP_CONNECT_TIMEOUT] =
      g_param_spec_uint ("connect-timeout", "Connect timeout",
      "Milliseconds to connect and get the welcome", 1, G_MAXUINT,
      DEFAULT_CONNECT_TIMEOUT, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * GstWebRTCRoomWebSocketSignaller:tls-insecure:
   *
   * Accept any TLS certificate from a wss:// server (self-signed test
   * servers). Never enable this in production.
   */
  properties[PROP_TLS_INSECURE] =
      g_param_spec_boolean ("tls-insecure", "TLS insecure",
      "Accept any server certificate (testing only)", DEFAULT_TLS_INSECURE,
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * GstWebRTCRoomWebSocketSignaller:ca-file:
   *
   * PEM file of the certificate authorities a wss:// server's certificate
   * is checked against, instead of the system's (a private CA). Read when
   * the signaller starts.
   */
  properties[PROP_CA_FILE] =
      g_param_spec_string ("ca-file", "CA file",
      "PEM file of the CAs to trust for wss:// (default: the system's)",
      NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);

  /**
   * GstWebRTCRoomWebSocketSignaller:peer-id:
   *
   * The id the server assigned to us in the last `welcome`; kept while
   * the connection is being resumed, %NULL before the first welcome and
   * after stop or a fatal error.
   */
  properties[PROP_PEER_ID] = g_param_spec_string ("peer-id", "Peer id",
      "Our peer id, from the last welcome", NULL,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * GstWebRTCRoomWebSocketSignaller:connected:
   *
   * %TRUE while joined: between a `welcome` and the loss of the
   * connection or stop.
   */
  properties[PROP_CONNECTED] = g_param_spec_boolean ("connected",
      "Connected", "Whether we are joined to the room right now", FALSE,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (gobject_class, N_PROPERTIES, properties);
}

static void
gst_webrtc_room_websocket_signaller_init (Self * self)
{
  g_mutex_init (&self->lock);
  g_queue_init (&self->outgoing);
  self->server_url = g_strdup (DEFAULT_SERVER_URL);
  self->keepalive_interval = DEFAULT_KEEPALIVE_INTERVAL;
  self->reconnect_timeout = DEFAULT_RECONNECT_TIMEOUT;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->tls_insecure = DEFAULT_TLS_INSECURE;
  self->state = STATE_IDLE;
  self->backoff_ms = BACKOFF_INITIAL_MS;
}

GstWebRTCRoomSignaller *
gst_webrtc_room_websocket_signaller_new (const gchar * server_url)
{
  return g_object_new (GST_TYPE_WEBRTC_ROOM_WEBSOCKET_SIGNALLER,
      "server-url", server_url ? server_url : DEFAULT_SERVER_URL, NULL);
}
