/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstwebrtcroomsignaller
 * @title: GstWebRTCRoomSignaller
 * @short_description: the room signalling transport interface
 *
 * A signaller joins a room and relays signalling payloads between peers.
 * The elements use #GstWebRTCRoomWebSocketSignaller, which speaks room
 * protocol v1 over a WebSocket; an application may plug its own transport
 * by implementing this interface.
 */

#include "signaller-private.h"
#include "signaller.h"

enum
{
  SIGNAL_WELCOME,
  SIGNAL_PEER_JOINED,
  SIGNAL_PEER_LEFT,
  SIGNAL_SIGNAL,
  SIGNAL_BROADCAST,
  SIGNAL_ERROR,
  SIGNAL_CONNECTION_LOST,
  SIGNAL_ICE_SERVERS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GstWebRTCRoomJoinParams *
gst_webrtc_room_join_params_new (const gchar * room, const gchar * name,
    JsonObject * meta, gboolean offers, const gchar * token)
{
  GstWebRTCRoomJoinParams *params = g_new0 (GstWebRTCRoomJoinParams, 1);

  params->room = g_strdup (room);
  params->name = g_strdup (name);
  params->meta = meta ? json_object_ref (meta) : NULL;
  params->offers = offers;
  params->token = g_strdup (token);
  return params;
}

GstWebRTCRoomJoinParams *
gst_webrtc_room_join_params_copy (const GstWebRTCRoomJoinParams * params)
{
  return gst_webrtc_room_join_params_new (params->room, params->name,
      params->meta, params->offers, params->token);
}

void
gst_webrtc_room_join_params_free (GstWebRTCRoomJoinParams * params)
{
  if (!params)
    return;
  g_free (params->room);
  g_free (params->name);
  g_clear_pointer (&params->meta, json_object_unref);
  g_free (params->token);
  g_free (params);
}

G_DEFINE_BOXED_TYPE (GstWebRTCRoomJoinParams, gst_webrtc_room_join_params,
    gst_webrtc_room_join_params_copy, gst_webrtc_room_join_params_free);

G_DEFINE_INTERFACE (GstWebRTCRoomSignaller, gst_webrtc_room_signaller,
    G_TYPE_OBJECT);

static void
gst_webrtc_room_signaller_default_init (GstWebRTCRoomSignallerInterface * iface)
{
  /**
   * GstWebRTCRoomSignaller::welcome:
   * @self: the signaller
   * @welcome: the parsed `welcome` message (own id, members, iceServers)
   * @resumed: %TRUE when this welcome answers a resume after a lost
   *   connection: the peer kept its id and its sessions stay valid
   */
  signals[SIGNAL_WELCOME] = g_signal_new ("welcome",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, GST_TYPE_WEBRTC_ROOM_MESSAGE, G_TYPE_BOOLEAN);

  /**
   * GstWebRTCRoomSignaller::peer-joined:
   * @self: the signaller
   * @peer: who entered the room
   */
  signals[SIGNAL_PEER_JOINED] = g_signal_new ("peer-joined",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, GST_TYPE_WEBRTC_ROOM_PEER_INFO);

  /**
   * GstWebRTCRoomSignaller::peer-left:
   * @self: the signaller
   * @peer_id: who left
   * @reason: `left`, `timeout` or `kicked`
   */
  signals[SIGNAL_PEER_LEFT] = g_signal_new ("peer-left",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * GstWebRTCRoomSignaller::signal:
   * @self: the signaller
   * @from: sender peer id, as stamped by the server
   * @data: the relayed payload (description, candidate, ...)
   */
  signals[SIGNAL_SIGNAL] = g_signal_new ("signal",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);

  /**
   * GstWebRTCRoomSignaller::broadcast:
   * @self: the signaller
   * @from: sender peer id
   * @data: the room-wide payload
   */
  signals[SIGNAL_BROADCAST] = g_signal_new ("broadcast",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);

  /**
   * GstWebRTCRoomSignaller::error:
   * @self: the signaller
   * @error: what went wrong, in the GST_WEBRTC_ROOM_ERROR domain for
   *   protocol errors or G_IO_ERROR/G_RESOLVER_ERROR for transport ones
   * @fatal: %TRUE when the signaller gave up (server unreachable, room
   *   full, unauthorized); %FALSE for an error the session survives
   */
  signals[SIGNAL_ERROR] = g_signal_new ("error",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_ERROR, G_TYPE_BOOLEAN);

  /**
   * GstWebRTCRoomSignaller::connection-lost:
   * @self: the signaller
   * @error: why
   *
   * The connection to the server dropped after a welcome; the signaller
   * reconnects and resumes on its own. Media is not affected.
   */
  signals[SIGNAL_CONNECTION_LOST] = g_signal_new ("connection-lost",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * GstWebRTCRoomSignaller::ice-servers:
   * @self: the signaller
   * @peer_id: the peer whose connection they are for
   * @servers: iceServers entries, as in a welcome (`urls`, `username`,
   *   `credential`)
   *
   * ICE servers that became known only with the answer of @peer_id, and
   * are for the connection with it: a WHIP or WHEP endpoint's `Link`
   * headers (RFC 9725 section 4.6). Emitted before that answer's `signal`.
   * An element should apply them to that connection before its ICE
   * gathering (the room elements set their offer to an endpoint only with
   * its answer, for that); a stun-server or turn-servers property the user
   * set wins over them.
   */
  signals[SIGNAL_ICE_SERVERS] = g_signal_new ("ice-servers",
      G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
      G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_ARRAY);
}

void
gst_webrtc_room_signaller_start (GstWebRTCRoomSignaller * self,
    const GstWebRTCRoomJoinParams * params)
{
  g_return_if_fail (GST_IS_WEBRTC_ROOM_SIGNALLER (self));
  g_return_if_fail (params != NULL);

  GST_WEBRTC_ROOM_SIGNALLER_GET_IFACE (self)->start (self, params);
}

void
gst_webrtc_room_signaller_stop (GstWebRTCRoomSignaller * self)
{
  g_return_if_fail (GST_IS_WEBRTC_ROOM_SIGNALLER (self));

  GST_WEBRTC_ROOM_SIGNALLER_GET_IFACE (self)->stop (self);
}

void
gst_webrtc_room_signaller_send (GstWebRTCRoomSignaller * self,
    const gchar * to, JsonObject * data)
{
  g_return_if_fail (GST_IS_WEBRTC_ROOM_SIGNALLER (self));
  g_return_if_fail (data != NULL);

  GST_WEBRTC_ROOM_SIGNALLER_GET_IFACE (self)->send (self, to, data);
}

void
gst_webrtc_room_signaller_emit_welcome (GstWebRTCRoomSignaller * self,
    const GstWebRTCRoomMessage * welcome, gboolean resumed)
{
  g_signal_emit (self, signals[SIGNAL_WELCOME], 0, welcome, resumed);
}

void
gst_webrtc_room_signaller_emit_peer_joined (GstWebRTCRoomSignaller * self,
    const GstWebRTCRoomPeerInfo * peer)
{
  g_signal_emit (self, signals[SIGNAL_PEER_JOINED], 0, peer);
}

void
gst_webrtc_room_signaller_emit_peer_left (GstWebRTCRoomSignaller * self,
    const gchar * peer_id, const gchar * reason)
{
  g_signal_emit (self, signals[SIGNAL_PEER_LEFT], 0, peer_id, reason);
}

void
gst_webrtc_room_signaller_emit_signal (GstWebRTCRoomSignaller * self,
    const gchar * from, JsonObject * data)
{
  g_signal_emit (self, signals[SIGNAL_SIGNAL], 0, from, data);
}

SoupSession *
gst_webrtc_room_signaller_new_session (const gchar * ca_file, guint timeout_s,
    GError ** error)
{
  g_autoptr (GTlsDatabase) database = NULL;
  GError *local = NULL;

  if (ca_file && *ca_file) {
    database = g_tls_file_database_new (ca_file, &local);
    if (!database) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "Cannot load the CA file '%s': %s", ca_file, local->message);
      g_error_free (local);
      return NULL;
    }
  }
  return soup_session_new_with_options ("user-agent", "gst-webrtc-rooms",
      "timeout", timeout_s, database ? "tls-database" : NULL, database, NULL);
}

static gboolean
accept_certificate (SoupMessage * msg, GTlsCertificate * certificate,
    GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

void
gst_webrtc_room_signaller_accept_any_certificate (SoupMessage * msg)
{
  g_signal_connect (msg, "accept-certificate",
      G_CALLBACK (accept_certificate), NULL);
}

void
gst_webrtc_room_signaller_emit_ice_servers (GstWebRTCRoomSignaller * self,
    const gchar * peer_id, JsonArray * servers)
{
  g_signal_emit (self, signals[SIGNAL_ICE_SERVERS], 0, peer_id, servers);
}

void
gst_webrtc_room_signaller_emit_broadcast (GstWebRTCRoomSignaller * self,
    const gchar * from, JsonObject * data)
{
  g_signal_emit (self, signals[SIGNAL_BROADCAST], 0, from, data);
}

void
gst_webrtc_room_signaller_emit_error (GstWebRTCRoomSignaller * self,
    const GError * error, gboolean fatal)
{
  g_signal_emit (self, signals[SIGNAL_ERROR], 0, error, fatal);
}

void
gst_webrtc_room_signaller_emit_connection_lost (GstWebRTCRoomSignaller *
    self, const GError * error)
{
  g_signal_emit (self, signals[SIGNAL_CONNECTION_LOST], 0, error);
}

/* Shared by the signaller implementations (signaller-private.h) */


typedef struct
{
  gpointer self;
  GstWebRTCRoomContextFunc func;
  gpointer data;
  GMutex lock;
  GCond cond;
  gboolean done;
} SyncCall;

static gboolean
sync_call_dispatch (gpointer user_data)
{
  SyncCall *call = user_data;

  g_mutex_lock (&call->lock);
  if (!call->done) {
    call->func (call->self, call->data);
    call->done = TRUE;
    g_cond_broadcast (&call->cond);
  }
  g_mutex_unlock (&call->lock);
  return G_SOURCE_REMOVE;
}

/* Runs @func with @context owned by this thread: directly when it can be
 * acquired (the owner thread, or nobody is dispatching it), else from the
 * thread dispatching it, waiting for it. Either way, no callback of ours
 * runs concurrently with @func. */
void
gst_webrtc_room_signaller_run_in_context (gpointer self,
    GMainContext * context, GstWebRTCRoomContextFunc func, gpointer data)
{
  SyncCall call = { self, func, data };
  GSource *source = NULL;

  g_mutex_init (&call.lock);
  g_cond_init (&call.cond);

  g_mutex_lock (&call.lock);
  while (!call.done) {
    if (g_main_context_acquire (context)) {
      g_main_context_push_thread_default (context);
      func (self, data);
      g_main_context_pop_thread_default (context);
      call.done = TRUE;
      /* Nobody dispatches @source while we own the context */
      if (source) {
        g_source_destroy (source);
        g_clear_pointer (&source, g_source_unref);
      }
      g_main_context_release (context);
      break;
    }
    if (!source) {
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_HIGH);
      g_source_set_callback (source, sync_call_dispatch, &call, NULL);
      g_source_attach (source, context);
    }
    /* The dispatching thread may stop iterating: retry acquiring. */
    g_cond_wait_until (&call.cond, &call.lock,
        g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
  }
  g_mutex_unlock (&call.lock);

  if (source) {
    g_source_destroy (source);
    g_source_unref (source);
  }
  g_mutex_clear (&call.lock);
  g_cond_clear (&call.cond);
}

/* Callback data */

struct _GstWebRTCRoomPending
{
  GWeakRef ref;
  gsize offset;                 /* of the generation field in the object */
  guint generation;
};

GstWebRTCRoomPending *
gst_webrtc_room_pending_new (gpointer object, const guint * generation)
{
  GstWebRTCRoomPending *p = g_new0 (GstWebRTCRoomPending, 1);

  g_weak_ref_init (&p->ref, object);
  p->offset = (const guint8 *) generation - (const guint8 *) object;
  p->generation = *generation;
  return p;
}

void
gst_webrtc_room_pending_free (gpointer pending)
{
  GstWebRTCRoomPending *p = pending;

  g_weak_ref_clear (&p->ref);
  g_free (p);
}

gpointer
gst_webrtc_room_pending_get (GstWebRTCRoomPending * pending)
{
  GObject *object = g_weak_ref_get (&pending->ref);

  if (object && G_STRUCT_MEMBER (guint, object, pending->offset) !=
      pending->generation)
    g_clear_object (&object);
  return object;
}

/* The queue of outgoing signals */

typedef struct
{
  gchar *to;
  JsonObject *data;
} Outgoing;

struct _GstWebRTCRoomSendQueue
{
  GObject *owner;               /* not a reference: it owns us */
  GstWebRTCRoomRouteFunc route;
  guint max;

  /* Guarded by lock */
  GMutex lock;
  GMainContext *context;        /* NULL: closed */
  GQueue items;                 /* Outgoing* */
  GSource *flush_source;
};

static void
outgoing_free (gpointer data)
{
  Outgoing *o = data;

  g_free (o->to);
  json_object_unref (o->data);
  g_free (o);
}

GstWebRTCRoomSendQueue *
gst_webrtc_room_send_queue_new (gpointer owner, GstWebRTCRoomRouteFunc route,
    guint max)
{
  GstWebRTCRoomSendQueue *queue = g_new0 (GstWebRTCRoomSendQueue, 1);

  queue->owner = owner;
  queue->route = route;
  queue->max = max;
  g_mutex_init (&queue->lock);
  g_queue_init (&queue->items);
  return queue;
}

void
gst_webrtc_room_send_queue_free (GstWebRTCRoomSendQueue * queue)
{
  gst_webrtc_room_send_queue_close (queue);
  g_mutex_clear (&queue->lock);
  g_free (queue);
}

void
gst_webrtc_room_send_queue_open (GstWebRTCRoomSendQueue * queue,
    GMainContext * context)
{
  g_mutex_lock (&queue->lock);
  if (queue->context != context) {
    g_clear_pointer (&queue->context, g_main_context_unref);
    queue->context = g_main_context_ref (context);
  }
  g_mutex_unlock (&queue->lock);
}

void
gst_webrtc_room_send_queue_close (GstWebRTCRoomSendQueue * queue)
{
  g_mutex_lock (&queue->lock);
  g_clear_pointer (&queue->context, g_main_context_unref);
  if (queue->flush_source) {
    g_source_destroy (queue->flush_source);
    g_clear_pointer (&queue->flush_source, g_source_unref);
  }
  g_queue_clear_full (&queue->items, outgoing_free);
  g_mutex_unlock (&queue->lock);
}

typedef struct
{
  GWeakRef owner;
  GstWebRTCRoomSendQueue *queue;
} Flush;

static void
flush_free (gpointer data)
{
  Flush *f = data;

  g_weak_ref_clear (&f->owner);
  g_free (f);
}

/* The owner alive (we hold it), its queue is too */
static gboolean
on_flush (gpointer data)
{
  Flush *f = data;
  g_autoptr (GObject) owner = g_weak_ref_get (&f->owner);
  GstWebRTCRoomSendQueue *queue = f->queue;
  GQueue items = G_QUEUE_INIT;
  Outgoing *o;

  if (!owner)
    return G_SOURCE_REMOVE;
  g_mutex_lock (&queue->lock);
  g_clear_pointer (&queue->flush_source, g_source_unref);
  items = queue->items;
  g_queue_init (&queue->items);
  g_mutex_unlock (&queue->lock);
  while ((o = g_queue_pop_head (&items))) {
    queue->route (owner, o->to, o->data);
    outgoing_free (o);
  }
  return G_SOURCE_REMOVE;
}

gboolean
gst_webrtc_room_send_queue_push (GstWebRTCRoomSendQueue * queue,
    const gchar * to, JsonObject * data)
{
  Outgoing *o;

  g_mutex_lock (&queue->lock);
  if (!queue->context || queue->items.length >= queue->max) {
    g_mutex_unlock (&queue->lock);
    return FALSE;
  }
  o = g_new0 (Outgoing, 1);
  o->to = g_strdup (to);
  o->data = json_object_ref (data);
  g_queue_push_tail (&queue->items, o);
  if (!queue->flush_source) {
    Flush *f = g_new0 (Flush, 1);

    g_weak_ref_init (&f->owner, queue->owner);
    f->queue = queue;
    queue->flush_source = g_idle_source_new ();
    g_source_set_callback (queue->flush_source, on_flush, f, flush_free);
    g_source_attach (queue->flush_source, queue->context);
  }
  g_mutex_unlock (&queue->lock);
  return TRUE;
}
