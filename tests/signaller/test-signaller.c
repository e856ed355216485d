/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* GstWebRTCRoomWebSocketSignaller against a real room server on
 * loopback. Every wait iterates a GMainContext until a condition holds or
 * a timeout source fires; nothing sleeps. */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include <libsoup/soup.h>
#include <gst/webrtcroom/websocketsignaller.h>

#include "../common/testserver.h"

#define WAIT_MS 5000

/* One signaller and what it emitted. Fields are guarded by lock: in the
 * resume test one client runs on a context dispatched by another thread. */
typedef struct
{
  const gchar *label;
  GstWebRTCRoomSignaller *sig;
  GMainContext *wake;
  GMutex lock;
  guint n_welcome;
  guint n_resumed;
  guint n_lost;
  guint n_errors;
  guint n_fatal;
  guint n_events;
  gboolean last_resumed;
  gchar *welcome_id;
  guint welcome_peers;
  GPtrArray *joined;
  GPtrArray *left;
  GPtrArray *signals;
  GPtrArray *broadcasts;
  GError *last_error;
  GError *lost_error;
} Client;

typedef struct
{
  GMainContext *context;
  WrTestServer *server;
  gchar *url;
} Fixture;

static gboolean
timeout_reached (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates @ctx until @cond is true or @ms pass; evaluates to @cond. */
#define ITERATE_UNTIL(ctx, cond, ms) ({ \
      gboolean _timed_out = FALSE; \
      GSource *_t = g_timeout_source_new (ms); \
      g_source_set_callback (_t, timeout_reached, &_timed_out, NULL); \
      g_source_attach (_t, ctx); \
      while (!(cond) && !_timed_out) \
        g_main_context_iteration (ctx, TRUE); \
      g_source_destroy (_t); \
      g_source_unref (_t); \
      (cond); \
    })

#define WAIT_FOR(cond) \
    g_assert_true (ITERATE_UNTIL (fx->context, cond, WAIT_MS))

/* Iterates for @ms whatever happens (to prove that nothing does). */
static void
iterate_for (GMainContext * ctx, guint ms)
{
  ITERATE_UNTIL (ctx, FALSE, ms);
}

/* Signal handlers */

static void
client_event (Client * c)
{
  c->n_events++;
  g_mutex_unlock (&c->lock);
  g_main_context_wakeup (c->wake);
}

static void
on_welcome (GstWebRTCRoomSignaller * sig, GstWebRTCRoomMessage * welcome,
    gboolean resumed, Client * c)
{
  g_mutex_lock (&c->lock);
  c->n_welcome++;
  if (resumed)
    c->n_resumed++;
  c->last_resumed = resumed;
  g_free (c->welcome_id);
  c->welcome_id = g_strdup (welcome->peer);
  c->welcome_peers = welcome->peers->len;
  client_event (c);
}

static void
on_peer_joined (GstWebRTCRoomSignaller * sig, GstWebRTCRoomPeerInfo * peer,
    Client * c)
{
  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->joined, g_strdup (peer->id));
  client_event (c);
}

static void
on_peer_left (GstWebRTCRoomSignaller * sig, const gchar * id,
    const gchar * reason, Client * c)
{
  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->left, g_strdup_printf ("%s:%s", id, reason));
  client_event (c);
}

static gchar *
object_to_string (JsonObject * obj)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, obj);
  return json_to_string (node, FALSE);
}

static void
on_signal (GstWebRTCRoomSignaller * sig, const gchar * from,
    JsonObject * data, Client * c)
{
  g_autofree gchar *json = object_to_string (data);

  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->signals, g_strdup_printf ("%s|%s", from, json));
  client_event (c);
}

static void
on_broadcast (GstWebRTCRoomSignaller * sig, const gchar * from,
    JsonObject * data, Client * c)
{
  g_autofree gchar *json = object_to_string (data);

  g_mutex_lock (&c->lock);
  g_ptr_array_add (c->broadcasts, g_strdup_printf ("%s|%s", from, json));
  client_event (c);
}

static void
on_error (GstWebRTCRoomSignaller * sig, GError * error, gboolean fatal,
    Client * c)
{
  g_test_message ("%s: %s error: %s", c->label, fatal ? "fatal" : "non-fatal",
      error->message);
  g_mutex_lock (&c->lock);
  c->n_errors++;
  if (fatal)
    c->n_fatal++;
  g_clear_error (&c->last_error);
  c->last_error = g_error_copy (error);
  client_event (c);
}

static void
on_connection_lost (GstWebRTCRoomSignaller * sig, GError * error, Client * c)
{
  g_test_message ("%s: connection lost: %s", c->label, error->message);
  g_mutex_lock (&c->lock);
  c->n_lost++;
  g_clear_error (&c->lost_error);
  c->lost_error = g_error_copy (error);
  client_event (c);
}

/* Client helpers */

static Client *
client_new (Fixture * fx, const gchar * label, const gchar * url)
{
  Client *c = g_new0 (Client, 1);

  c->label = label;
  c->wake = g_main_context_ref (fx->context);
  g_mutex_init (&c->lock);
  c->joined = g_ptr_array_new_with_free_func (g_free);
  c->left = g_ptr_array_new_with_free_func (g_free);
  c->signals = g_ptr_array_new_with_free_func (g_free);
  c->broadcasts = g_ptr_array_new_with_free_func (g_free);
  c->sig = gst_webrtc_room_websocket_signaller_new (url ? url : fx->url);
  g_signal_connect (c->sig, "welcome", G_CALLBACK (on_welcome), c);
  g_signal_connect (c->sig, "peer-joined", G_CALLBACK (on_peer_joined), c);
  g_signal_connect (c->sig, "peer-left", G_CALLBACK (on_peer_left), c);
  g_signal_connect (c->sig, "signal", G_CALLBACK (on_signal), c);
  g_signal_connect (c->sig, "broadcast", G_CALLBACK (on_broadcast), c);
  g_signal_connect (c->sig, "error", G_CALLBACK (on_error), c);
  g_signal_connect (c->sig, "connection-lost",
      G_CALLBACK (on_connection_lost), c);
  return c;
}

static void
client_start (Client * c, const gchar * room, const gchar * token)
{
  g_autoptr (GstWebRTCRoomJoinParams) params =
      gst_webrtc_room_join_params_new (room, c->label, NULL, TRUE, token);

  gst_webrtc_room_signaller_start (c->sig, params);
}

/* Stops, unrefs (the signaller must really be finalized) and frees. */
static void
client_free (Client * c)
{
  GWeakRef ref;
  GObject *alive;

  gst_webrtc_room_signaller_stop (c->sig);
  g_weak_ref_init (&ref, c->sig);
  g_clear_object (&c->sig);
  alive = g_weak_ref_get (&ref);
  g_assert_null (alive);
  g_weak_ref_clear (&ref);

  g_mutex_clear (&c->lock);
  g_main_context_unref (c->wake);
  g_free (c->welcome_id);
  g_ptr_array_unref (c->joined);
  g_ptr_array_unref (c->left);
  g_ptr_array_unref (c->signals);
  g_ptr_array_unref (c->broadcasts);
  g_clear_error (&c->last_error);
  g_clear_error (&c->lost_error);
  g_free (c);
}

static guint
get_count (Client * c, guint * field)
{
  guint n;

  g_mutex_lock (&c->lock);
  n = *field;
  g_mutex_unlock (&c->lock);
  return n;
}

#define COUNT(c, field) get_count (c, &(c)->field)

static gboolean
has_entry (Client * c, GPtrArray * array, const gchar * entry)
{
  gboolean found;

  g_mutex_lock (&c->lock);
  found = g_ptr_array_find_with_equal_func (array, entry, g_str_equal, NULL);
  g_mutex_unlock (&c->lock);
  return found;
}

static guint
array_len (Client * c, GPtrArray * array)
{
  guint n;

  g_mutex_lock (&c->lock);
  n = array->len;
  g_mutex_unlock (&c->lock);
  return n;
}

static gchar *
peer_id (Client * c)
{
  gchar *id = NULL;

  g_object_get (c->sig, "peer-id", &id, NULL);
  return id;
}

static void
send_text (Client * c, const gchar * to, const gchar * text)
{
  g_autoptr (JsonObject) data = json_object_new ();

  json_object_set_string_member (data, "text", text);
  gst_webrtc_room_signaller_send (c->sig, to, data);
}

static gchar *
expected (const gchar * from, const gchar * text)
{
  return g_strdup_printf ("%s|{\"text\":\"%s\"}", from, text);
}

static void
join_and_wait (Fixture * fx, Client * c, const gchar * room)
{
  guint before = COUNT (c, n_welcome);

  client_start (c, room, NULL);
  WAIT_FOR (COUNT (c, n_welcome) > before || COUNT (c, n_fatal) > 0);
  g_assert_cmpuint (COUNT (c, n_fatal), ==, 0);
}

/* Fixture */

static WrTestServer *
start_server (const gchar * const *args)
{
  g_autoptr (GError) error = NULL;
  WrTestServer *server = wr_test_server_start (args, &error);

  g_assert_no_error (error);
  g_assert_nonnull (server);
  return server;
}

static void
fixture_setup (Fixture * fx, gconstpointer data)
{
  const gchar *const *args = data;

  fx->context = g_main_context_new ();
  g_main_context_push_thread_default (fx->context);
  if (args) {
    fx->server = start_server (args);
    fx->url = wr_test_server_get_ws_url (fx->server);
  }
}

static void
fixture_teardown (Fixture * fx, gconstpointer data)
{
  /* let closed sockets and cancelled operations finish (for LeakSanitizer) */
  iterate_for (fx->context, 100);
  g_clear_pointer (&fx->server, wr_test_server_stop);
  g_free (fx->url);
  g_main_context_pop_thread_default (fx->context);
  g_main_context_unref (fx->context);
}

static const gchar *const no_args[] = { NULL };
static const gchar *const no_rate_limit_args[] = { "--rate-limit", "0", NULL };

/* Tests */

static void
test_join_and_leave (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  Client *b = client_new (fx, "bob", NULL);
  g_autofree gchar *a_id = NULL;
  g_autofree gchar *b_id = NULL;
  g_autofree gchar *b_left = NULL;
  gboolean connected = FALSE;

  join_and_wait (fx, a, "room1");
  g_assert_false (a->last_resumed);
  g_assert_cmpuint (a->welcome_peers, ==, 0);
  a_id = peer_id (a);
  g_assert_cmpstr (a_id, ==, a->welcome_id);
  g_object_get (a->sig, "connected", &connected, NULL);
  g_assert_true (connected);

  join_and_wait (fx, b, "room1");
  b_id = peer_id (b);
  g_assert_cmpstr (b_id, !=, a_id);
  g_assert_cmpuint (b->welcome_peers, ==, 1);
  WAIT_FOR (has_entry (a, a->joined, b_id));

  /* stop sends leave: the other peer sees it at once, reason "left" */
  gst_webrtc_room_signaller_stop (b->sig);
  g_object_get (b->sig, "connected", &connected, NULL);
  g_assert_false (connected);
  b_left = g_strdup_printf ("%s:left", b_id);
  WAIT_FOR (has_entry (a, a->left, b_left));

  g_assert_cmpuint (a->n_errors, ==, 0);
  g_assert_cmpuint (b->n_errors, ==, 0);
  client_free (b);
  client_free (a);
}

static void
test_relay (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  Client *b = client_new (fx, "bob", NULL);
  Client *c = client_new (fx, "carol", NULL);
  g_autofree gchar *a_id = NULL;
  g_autofree gchar *b_id = NULL;
  g_autofree gchar *to_b = NULL;
  g_autofree gchar *to_a = NULL;
  g_autofree gchar *bcast = NULL;

  join_and_wait (fx, a, "relay");
  join_and_wait (fx, b, "relay");
  join_and_wait (fx, c, "relay");
  a_id = peer_id (a);
  b_id = peer_id (b);

  send_text (a, b_id, "hello bob");
  to_b = expected (a_id, "hello bob");
  WAIT_FOR (has_entry (b, b->signals, to_b));

  send_text (b, a_id, "hello alice");
  to_a = expected (b_id, "hello alice");
  WAIT_FOR (has_entry (a, a->signals, to_a));

  /* broadcast reaches everyone else, not the sender */
  send_text (a, NULL, "hi all");
  bcast = expected (a_id, "hi all");
  WAIT_FOR (has_entry (b, b->broadcasts, bcast)
      && has_entry (c, c->broadcasts, bcast));
  iterate_for (fx->context, 100);
  g_assert_cmpuint (array_len (a, a->broadcasts), ==, 0);
  g_assert_cmpuint (array_len (c, c->signals), ==, 0);

  g_assert_cmpuint (a->n_errors + b->n_errors + c->n_errors, ==, 0);
  client_free (c);
  client_free (b);
  client_free (a);
}

static void
test_unknown_peer_is_not_fatal (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  Client *b = client_new (fx, "bob", NULL);
  g_autofree gchar *a_id = NULL;
  g_autofree gchar *again = NULL;

  join_and_wait (fx, a, "errors");
  join_and_wait (fx, b, "errors");
  a_id = peer_id (a);

  send_text (b, "no-such-peer", "lost");
  WAIT_FOR (COUNT (b, n_errors) == 1);
  g_assert_cmpuint (COUNT (b, n_fatal), ==, 0);
  g_assert_error (b->last_error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_UNKNOWN_PEER);

  /* the connection stays usable */
  send_text (b, a_id, "still here");
  again = expected (b->welcome_id, "still here");
  WAIT_FOR (has_entry (a, a->signals, again));
  g_assert_cmpuint (COUNT (b, n_lost), ==, 0);

  client_free (b);
  client_free (a);
}

typedef struct
{
  GstWebRTCRoomSignaller *sig;
  const gchar *to;
  guint first;
  guint count;
} SendJob;

static gpointer
send_thread (gpointer data)
{
  SendJob *job = data;
  guint i;

  for (i = job->first; i < job->first + job->count; i++) {
    g_autoptr (JsonObject) obj = json_object_new ();

    json_object_set_int_member (obj, "seq", i);
    gst_webrtc_room_signaller_send (job->sig, job->to, obj);
  }
  return NULL;
}

#define FRAMES_PER_THREAD 300

static void
test_send_from_threads (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  Client *b = client_new (fx, "bob", NULL);
  g_autofree gchar *b_id = NULL;
  SendJob jobs[3];
  GThread *threads[3];
  gint64 last[3] = { -1, -1, -1 };
  guint i;

  join_and_wait (fx, a, "threads");
  join_and_wait (fx, b, "threads");
  b_id = peer_id (b);

  for (i = 0; i < G_N_ELEMENTS (jobs); i++) {
    jobs[i] = (SendJob) {
    a->sig, b_id, i * 100000, FRAMES_PER_THREAD};
    threads[i] = g_thread_new ("sender", send_thread, &jobs[i]);
  }
  /* the owner thread keeps dispatching while the others send */
  WAIT_FOR (array_len (b, b->signals) == G_N_ELEMENTS (jobs) *
      FRAMES_PER_THREAD || COUNT (a, n_errors) > 0);
  for (i = 0; i < G_N_ELEMENTS (jobs); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (COUNT (a, n_errors), ==, 0);

  /* each thread's frames arrive in the order it sent them */
  for (i = 0; i < b->signals->len; i++) {
    const gchar *entry = strchr (b->signals->pdata[i], '|') + 1;
    g_autoptr (JsonNode) node = json_from_string (entry, NULL);
    gint64 seq = json_object_get_int_member (json_node_get_object (node),
        "seq");
    guint t = seq / 100000;

    g_assert_cmpint (seq, >, last[t]);
    last[t] = seq;
  }

  client_free (b);
  client_free (a);
}

static guint
closed_port (void)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) lo =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  guint port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  /* bound but never listening: connections are refused */
  g_socket_close (socket, NULL);
  return port;
}

static void
test_unreachable (Fixture * fx, gconstpointer data)
{
  g_autofree gchar *url =
      g_strdup_printf ("ws://127.0.0.1:%u/ws", closed_port ());
  Client *a = client_new (fx, "alice", url);
  gint64 start = g_get_monotonic_time ();

  send_text (a, NULL, "queued before start");
  client_start (a, "room", NULL);
  WAIT_FOR (COUNT (a, n_fatal) == 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_error (a->last_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (a->last_error->message, url));
  g_assert_nonnull (strstr (a->last_error->message, "Could not connect"));

  /* nothing more after a fatal error */
  iterate_for (fx->context, 300);
  g_assert_cmpuint (a->n_events, ==, 1);
  client_free (a);
}

static void
test_connect_timeout (Fixture * fx, gconstpointer data)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  g_autofree gchar *url = NULL;
  Client *a;
  guint16 port;

  /* accepts TCP (kernel backlog) but never answers the HTTP upgrade */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("ws://127.0.0.1:%u/ws", port);
  a = client_new (fx, "alice", url);
  g_object_set (a->sig, "connect-timeout", 300, NULL);

  client_start (a, "room", NULL);
  WAIT_FOR (COUNT (a, n_fatal) == 1);
  g_assert_error (a->last_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (a->last_error->message, url));
  client_free (a);
  g_socket_listener_close (listener);
}

static void
test_bad_url (Fixture * fx, gconstpointer data)
{
  const gchar *urls[] = { "http://127.0.0.1:1/ws", "not a url", "ws:///ws" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (urls); i++) {
    Client *a = client_new (fx, "alice", urls[i]);

    client_start (a, "room", NULL);
    /* reported from the context, never from inside start() */
    g_assert_cmpuint (a->n_events, ==, 0);
    WAIT_FOR (COUNT (a, n_fatal) == 1);
    g_assert_error (a->last_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (a->last_error->message, urls[i]));
    client_free (a);
  }
}

static const gchar *const room_full_args[] =
    { "--max-peers-per-room", "1", NULL };

static void
test_room_full (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  Client *b = client_new (fx, "bob", NULL);

  join_and_wait (fx, a, "small");
  client_start (b, "small", NULL);
  WAIT_FOR (COUNT (b, n_fatal) == 1);
  g_assert_error (b->last_error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_ROOM_FULL);
  g_assert_cmpuint (b->n_welcome, ==, 0);
  g_assert_nonnull (strstr (b->last_error->message, "small"));

  /* another room still works */
  client_free (b);
  b = client_new (fx, "bob", NULL);
  join_and_wait (fx, b, "other");
  client_free (b);
  client_free (a);
}

static gchar *
write_temp_file (const gchar * contents)
{
  g_autoptr (GError) error = NULL;
  gchar *path = NULL;
  gint fd = g_file_open_tmp ("webrtc-room-test-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_unauthorized (Fixture * fx, gconstpointer data)
{
  g_autofree gchar *secret = write_temp_file ("token-secret-for-tests\n");
  const gchar *args[] = { "--token-secret-file", secret, NULL };
  Client *a;

  fx->server = start_server (args);
  fx->url = wr_test_server_get_ws_url (fx->server);
  a = client_new (fx, "alice", NULL);

  client_start (a, "secret", NULL);
  WAIT_FOR (COUNT (a, n_fatal) == 1);
  g_assert_error (a->last_error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_UNAUTHORIZED);
  g_assert_cmpuint (a->n_welcome, ==, 0);
  iterate_for (fx->context, 200);
  g_assert_cmpuint (COUNT (a, n_errors), ==, 1);
  client_free (a);
  g_unlink (secret);
}

/* Dispatches a context from its own thread, until stopped. */
typedef struct
{
  GMainContext *context;
  GMainLoop *loop;
  GThread *thread;
} Pump;

static gpointer
pump_thread (gpointer data)
{
  Pump *pump = data;

  g_main_context_push_thread_default (pump->context);
  g_main_loop_run (pump->loop);
  g_main_context_pop_thread_default (pump->context);
  return NULL;
}

static void
pump_start (Pump * pump)
{
  pump->loop = g_main_loop_new (pump->context, FALSE);
  pump->thread = g_thread_new ("pump", pump_thread, pump);
}

static void
pump_stop (Pump * pump)
{
  g_main_loop_quit (pump->loop);
  g_thread_join (pump->thread);
  g_clear_pointer (&pump->loop, g_main_loop_unref);
}

static void
test_resume_after_restart (Fixture * fx, gconstpointer data)
{
  g_autofree gchar *secret = write_temp_file ("resume-secret-for-tests\n");
  g_autofree gchar *port = NULL;
  const gchar *args[] = { "--secret-file", secret, NULL, NULL, NULL };
  Pump pump = { g_main_context_new () };
  Client *a, *b;
  g_autofree gchar *a_id = NULL;
  g_autofree gchar *b_id = NULL;
  g_autofree gchar *late = NULL;
  g_autofree gchar *after = NULL;
  guint i;

  fx->server = start_server (args);
  fx->url = wr_test_server_get_ws_url (fx->server);
  port = g_strdup_printf ("%u", wr_test_server_get_port (fx->server));

  /* alice lives on her own context, dispatched by a pump thread, so the
   * test can hold her back while bob resumes first */
  a = client_new (fx, "alice", NULL);
  b = client_new (fx, "bob", NULL);
  g_main_context_push_thread_default (pump.context);
  client_start (a, "resume", NULL);
  g_main_context_pop_thread_default (pump.context);
  pump_start (&pump);
  WAIT_FOR (COUNT (a, n_welcome) == 1);
  join_and_wait (fx, b, "resume");
  a_id = peer_id (a);
  b_id = peer_id (b);

  /* server dies without closing anything */
  wr_test_server_kill (g_steal_pointer (&fx->server));
  WAIT_FOR (COUNT (a, n_lost) == 1 && COUNT (b, n_lost) == 1);
  pump_stop (&pump);

  /* queued while alice is disconnected */
  for (i = 0; i < 5; i++) {
    g_autofree gchar *text = g_strdup_printf ("queued %u", i);

    send_text (a, b_id, text);
  }

  args[2] = "--port";
  args[3] = port;
  fx->server = start_server (args);

  WAIT_FOR (COUNT (b, n_welcome) == 2);
  g_assert_true (b->last_resumed);
  g_assert_cmpstr (b->welcome_id, ==, b_id);

  pump_start (&pump);
  WAIT_FOR (COUNT (a, n_welcome) == 2);
  g_assert_true (a->last_resumed);
  g_assert_cmpstr (a->welcome_id, ==, a_id);

  /* the frames queued while disconnected arrive, in order */
  late = expected (a_id, "queued 4");
  WAIT_FOR (has_entry (b, b->signals, late));
  g_assert_cmpuint (array_len (b, b->signals), ==, 5);
  for (i = 0; i < 5; i++) {
    g_autofree gchar *text = g_strdup_printf ("queued %u", i);
    g_autofree gchar *want = expected (a_id, text);

    g_assert_cmpstr (b->signals->pdata[i], ==, want);
  }

  /* relay works both ways after the resume */
  send_text (b, a_id, "welcome back");
  after = expected (b_id, "welcome back");
  WAIT_FOR (has_entry (a, a->signals, after));
  g_assert_cmpuint (COUNT (a, n_fatal) + COUNT (b, n_fatal), ==, 0);

  /* stop from this thread while the pump thread dispatches alice */
  gst_webrtc_room_signaller_stop (a->sig);
  pump_stop (&pump);
  client_free (a);
  client_free (b);
  g_main_context_unref (pump.context);
  g_unlink (secret);
}

static void
test_server_shutdown_reconnects (Fixture * fx, gconstpointer data)
{
  g_autofree gchar *secret = write_temp_file ("shutdown-secret-for-tests\n");
  g_autofree gchar *port = NULL;
  const gchar *args[] = { "--secret-file", secret, NULL, NULL, NULL };
  Client *a;
  g_autofree gchar *a_id = NULL;

  fx->server = start_server (args);
  fx->url = wr_test_server_get_ws_url (fx->server);
  port = g_strdup_printf ("%u", wr_test_server_get_port (fx->server));
  a = client_new (fx, "alice", NULL);
  join_and_wait (fx, a, "shutdown");
  a_id = peer_id (a);

  /* a server shutdown is a lost connection, not the end */
  g_clear_pointer (&fx->server, wr_test_server_stop);
  WAIT_FOR (COUNT (a, n_lost) == 1);
  args[2] = "--port";
  args[3] = port;
  fx->server = start_server (args);
  WAIT_FOR (COUNT (a, n_welcome) == 2);
  g_assert_cmpstr (a->welcome_id, ==, a_id);
  g_assert_cmpuint (a->n_fatal, ==, 0);
  client_free (a);
  g_unlink (secret);
}

static void
test_resume_refused_gives_new_id (Fixture * fx, gconstpointer data)
{
  g_autofree gchar *port = NULL;
  const gchar *args[] = { "--port", NULL, NULL };
  Client *a = client_new (fx, "alice", NULL);
  g_autofree gchar *a_id = NULL;
  g_autofree gchar *new_id = NULL;

  join_and_wait (fx, a, "forgotten");
  a_id = peer_id (a);
  port = g_strdup_printf ("%u", wr_test_server_get_port (fx->server));

  /* a new random resume secret: the old token means nothing any more */
  wr_test_server_kill (g_steal_pointer (&fx->server));
  WAIT_FOR (COUNT (a, n_lost) == 1);
  args[1] = port;
  fx->server = start_server (args);
  WAIT_FOR (COUNT (a, n_welcome) == 2 || COUNT (a, n_fatal) > 0);
  g_assert_cmpuint (COUNT (a, n_fatal), ==, 0);
  g_assert_false (a->last_resumed);
  new_id = peer_id (a);
  g_assert_cmpstr (new_id, !=, a_id);
  g_assert_cmpstr (new_id, ==, a->welcome_id);
  client_free (a);
}

static void
test_queue_is_bounded (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  Client *b = client_new (fx, "bob", NULL);
  g_autofree gchar *b_id = NULL;
  g_autofree gchar *first = NULL;
  g_autofree gchar *last = NULL;
  SendJob job;

  join_and_wait (fx, b, "bounded");
  b_id = peer_id (b);

  /* before start: queued, at most 1000, the oldest dropped (a warning) */
  job = (SendJob) {
  a->sig, b_id, 0, 1005};
  g_test_expect_message ("GstWebRTCRoom", G_LOG_LEVEL_WARNING,
      "*dropping the oldest*");
  send_thread (&job);
  g_test_assert_expected_messages ();
  join_and_wait (fx, a, "bounded");
  WAIT_FOR (array_len (b, b->signals) == 1000);
  first = g_strdup_printf ("%s|{\"seq\":5}", a->welcome_id);
  last = g_strdup_printf ("%s|{\"seq\":1004}", a->welcome_id);
  g_assert_cmpstr (b->signals->pdata[0], ==, first);
  g_assert_cmpstr (b->signals->pdata[999], ==, last);
  g_assert_cmpuint (a->n_errors, ==, 0);

  client_free (b);
  client_free (a);
}

static void
test_reconnect_gives_up (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);

  g_object_set (a->sig, "reconnect-timeout", 500, NULL);
  join_and_wait (fx, a, "gone");
  wr_test_server_kill (g_steal_pointer (&fx->server));
  WAIT_FOR (COUNT (a, n_lost) == 1);
  WAIT_FOR (COUNT (a, n_fatal) == 1);
  g_assert_error (a->last_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (a->last_error->message, fx->url));
  client_free (a);
}

static const gchar *const small_frames_args[] =
    { "--max-message-size", "256", NULL };

static void
test_join_too_large (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  g_autoptr (JsonObject) meta = json_object_new ();
  g_autoptr (GstWebRTCRoomJoinParams) params = NULL;
  g_autofree gchar *big = g_strnfill (400, 'x');

  /* a valid join (meta < 4 KiB) above this server's frame limit */
  json_object_set_string_member (meta, "padding", big);
  params = gst_webrtc_room_join_params_new ("big", "alice", meta, TRUE, NULL);
  gst_webrtc_room_signaller_start (a->sig, params);
  WAIT_FOR (COUNT (a, n_fatal) == 1);
  g_assert_cmpuint (a->n_welcome, ==, 0);
  g_assert_nonnull (strstr (a->last_error->message, fx->url));
  iterate_for (fx->context, 200);
  g_assert_cmpuint (a->n_errors, ==, 1);
  client_free (a);
}

static void
test_keepalive_detects_frozen_server (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  g_autofree gchar *a_id = NULL;
  GPid pid = wr_test_server_get_pid (fx->server);

  g_object_set (a->sig, "keepalive-interval", 1, "connect-timeout", 500, NULL);
  join_and_wait (fx, a, "frozen");
  a_id = peer_id (a);

  /* the socket stays open but nothing answers the pings */
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  g_assert_true (ITERATE_UNTIL (fx->context, COUNT (a, n_lost) == 1, 8000));
  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);
  g_assert_error (a->lost_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  /* we dropped the socket without a close frame: resumable */
  WAIT_FOR (COUNT (a, n_welcome) == 2);
  g_assert_true (a->last_resumed);
  g_assert_cmpstr (a->welcome_id, ==, a_id);
  g_assert_cmpuint (a->n_fatal, ==, 0);
  client_free (a);
}

static void
test_stop_unref (Fixture * fx, gconstpointer data)
{
  Client *a = client_new (fx, "alice", NULL);
  Client *b = client_new (fx, "bob", NULL);
  Client *c = client_new (fx, "carol", NULL);
  guint events;

  /* stopped before anything happened */
  client_start (a, "stop", NULL);
  gst_webrtc_room_signaller_stop (a->sig);
  iterate_for (fx->context, 200);
  g_assert_cmpuint (a->n_events, ==, 0);

  /* stopped while connecting */
  client_start (a, "stop", NULL);
  iterate_for (fx->context, 1);
  gst_webrtc_room_signaller_stop (a->sig);
  send_text (a, NULL, "after stop");
  iterate_for (fx->context, 200);
  g_assert_cmpuint (a->n_events, ==, 0);

  /* restartable; stop with frames queued and a peer talking to us */
  join_and_wait (fx, a, "stop");
  join_and_wait (fx, b, "stop");
  for (events = 0; events < 50; events++)
    send_text (b, a->welcome_id, "busy");
  send_text (a, b->welcome_id, "bye");
  gst_webrtc_room_signaller_stop (a->sig);
  events = a->n_events;
  iterate_for (fx->context, 200);
  g_assert_cmpuint (a->n_events, ==, events);

  /* stopped while reconnecting */
  join_and_wait (fx, c, "stop");
  wr_test_server_kill (g_steal_pointer (&fx->server));
  WAIT_FOR (COUNT (c, n_lost) == 1);
  gst_webrtc_room_signaller_stop (c->sig);
  events = c->n_events;
  iterate_for (fx->context, 300);
  g_assert_cmpuint (c->n_events, ==, events);

  client_free (c);
  client_free (b);
  client_free (a);
}

/* A rogue room server (issue 11): a bare WebSocket server in this process
 * (GSocketService and libsoup's WebSocket framing; libsoup's own server
 * keeps a reference per accepted socket, which LeakSanitizer reports) that
 * welcomes the signaller, then sends the frames a test gives it, then a
 * peer-joined proving the signaller still reads. */

typedef struct
{
  GSocketService *service;
  gchar *url;
  GPtrArray *frames;            /* GBytes, sent after each welcome */
  GPtrArray *conns;             /* SoupWebsocketConnection */
  guint joins;
} Rogue;

typedef struct
{
  Rogue *rogue;
  GSocketConnection *conn;
  GString *request;
  gchar buf[1024];
} Handshake;

static void
rogue_on_message (SoupWebsocketConnection * conn, gint type, GBytes * bytes,
    Rogue * rogue)
{
  gsize len;
  const gchar *text = g_bytes_get_data (bytes, &len);
  guint i;

  if (!g_strstr_len (text, len, "\"join\""))
    return;
  rogue->joins++;
  soup_websocket_connection_send_text (conn, "{\"type\":\"welcome\","
      "\"protocol\":1,\"peer\":\"rogue-victim\",\"room\":\"rogue\","
      "\"peers\":[],\"iceServers\":[],\"resume\":\"token\"}");
  for (i = 0; i < rogue->frames->len; i++)
    soup_websocket_connection_send_message (conn, SOUP_WEBSOCKET_DATA_TEXT,
        rogue->frames->pdata[i]);
  soup_websocket_connection_send_text (conn, "{\"type\":\"peer-joined\","
      "\"peer\":{\"id\":\"after-the-rogue-frames\",\"offers\":true}}");
}

static void
handshake_free (Handshake * h)
{
  g_object_unref (h->conn);
  g_string_free (h->request, TRUE);
  g_free (h);
}

/* RFC 6455 4.2.2: base64 (SHA-1 (key + GUID)) */
static gchar *
websocket_accept (const gchar * key)
{
  g_autoptr (GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof (digest);

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1,
      (const guchar *) "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", -1);
  g_checksum_get_digest (sha1, digest, &len);
  return g_base64_encode (digest, len);
}

static void rogue_read_request (Handshake * h);

static void
on_request_read (GObject * stream, GAsyncResult * result, gpointer data)
{
  Handshake *h = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (stream), result,
      NULL);
  g_autofree gchar *lower = NULL;
  g_autofree gchar *key = NULL;
  g_autofree gchar *accept = NULL;
  g_autofree gchar *response = NULL;
  g_autoptr (GUri) uri = NULL;
  const gchar *at, *end;
  SoupWebsocketConnection *ws;

  if (n <= 0) {
    handshake_free (h);
    return;
  }
  g_string_append_len (h->request, h->buf, n);
  if (!strstr (h->request->str, "\r\n\r\n")) {
    rogue_read_request (h);
    return;
  }
  lower = g_ascii_strdown (h->request->str, -1);
  at = strstr (lower, "sec-websocket-key:");
  g_assert_nonnull (at);
  at = h->request->str + (at - lower) + strlen ("sec-websocket-key:");
  end = strstr (at, "\r\n");
  key = g_strstrip (g_strndup (at, end - at));
  accept = websocket_accept (key);
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream
          (G_IO_STREAM (h->conn)), response, strlen (response), NULL, NULL,
          NULL));
  uri = g_uri_parse (h->rogue->url, G_URI_FLAGS_NONE, NULL);
  ws = soup_websocket_connection_new (G_IO_STREAM (h->conn), uri,
      SOUP_WEBSOCKET_CONNECTION_SERVER, NULL, NULL, NULL);
  /* our frames may be big: no limit on what we send or get */
  soup_websocket_connection_set_max_incoming_payload_size (ws, 0);
  g_signal_connect (ws, "message", G_CALLBACK (rogue_on_message), h->rogue);
  g_ptr_array_add (h->rogue->conns, ws);
  handshake_free (h);
}

static void
rogue_read_request (Handshake * h)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM
          (h->conn)), h->buf, sizeof (h->buf), G_PRIORITY_DEFAULT, NULL,
      on_request_read, h);
}

static gboolean
rogue_on_incoming (GSocketService * service, GSocketConnection * conn,
    GObject * source, Rogue * rogue)
{
  Handshake *h = g_new0 (Handshake, 1);

  h->rogue = rogue;
  h->conn = g_object_ref (conn);
  h->request = g_string_new (NULL);
  rogue_read_request (h);
  return TRUE;
}

static Rogue *
rogue_start (void)
{
  Rogue *rogue = g_new0 (Rogue, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) loopback =
      g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  rogue->frames = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_bytes_unref);
  rogue->conns = g_ptr_array_new_with_free_func (g_object_unref);
  rogue->service = g_socket_service_new ();
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER
          (rogue->service), address, G_SOCKET_TYPE_STREAM,
          G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  rogue->url = g_strdup_printf ("ws://127.0.0.1:%u/ws",
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_signal_connect (rogue->service, "incoming",
      G_CALLBACK (rogue_on_incoming), rogue);
  g_socket_service_start (rogue->service);
  return rogue;
}

static void
rogue_add_frame (Rogue * rogue, gchar * text)
{
  g_ptr_array_add (rogue->frames, g_bytes_new_take (text, strlen (text)));
}

static void
rogue_free (Rogue * rogue)
{
  guint i;

  for (i = 0; i < rogue->conns->len; i++) {
    SoupWebsocketConnection *ws = rogue->conns->pdata[i];
    g_signal_handlers_disconnect_by_data (ws, rogue);
    g_io_stream_close (soup_websocket_connection_get_io_stream (ws), NULL,
        NULL);
  }
  g_ptr_array_unref (rogue->conns);
  g_socket_service_stop (rogue->service);
  g_socket_listener_close (G_SOCKET_LISTENER (rogue->service));
  g_object_unref (rogue->service);
  g_ptr_array_unref (rogue->frames);
  g_free (rogue->url);
  g_free (rogue);
}

static gchar *
deep_frame (gsize depth)
{
  GString *s = g_string_sized_new (depth * 2 + 64);
  gsize i;

  g_string_append (s, "{\"type\":\"signal\",\"from\":\"x\",\"data\":{\"a\":");
  for (i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append (s, "}}");
  return g_string_free (s, FALSE);
}

/* issue 11: a 4 MB frame of nested arrays crashed the element (stack
 * overflow in json-glib): refused before parsing (bad-message: valid
 * JSON, nested too deep), the connection goes on. Also a string full of brackets is not nesting. */
static void
test_rogue_deep_frame (Fixture * fx, gconstpointer data)
{
  Rogue *rogue = rogue_start ();
  Client *a;
  g_autofree gchar *pad = g_strnfill (100000, '[');

  rogue_add_frame (rogue, deep_frame (1800 * 1000));
  rogue_add_frame (rogue, g_strdup_printf ("{\"type\":\"signal\",\"from\":"
          "\"x\",\"data\":{\"text\":\"%s\\\"[\"}}", pad));
  a = client_new (fx, "alice", rogue->url);
  join_and_wait (fx, a, "rogue");
  WAIT_FOR (array_len (a, a->joined) == 1);
  g_assert_true (has_entry (a, a->joined, "after-the-rogue-frames"));
  g_assert_cmpuint (COUNT (a, n_errors), ==, 1);
  g_assert_error (a->last_error, GST_WEBRTC_ROOM_ERROR,
      GST_WEBRTC_ROOM_ERROR_BAD_MESSAGE);
  g_assert_cmpuint (COUNT (a, n_fatal), ==, 0);
  g_assert_cmpuint (array_len (a, a->signals), ==, 1);
  g_assert_cmpuint (COUNT (a, n_lost), ==, 0);
  client_free (a);
  rogue_free (rogue);
}

/* A frame above the incoming limit (4 MiB) closes that connection (1009),
 * never the element: the signaller comes back (resume) */
static void
test_rogue_huge_frame (Fixture * fx, gconstpointer data)
{
  Rogue *rogue = rogue_start ();
  Client *a;
  g_autofree gchar *pad = g_strnfill (5 * 1024 * 1024, 'x');

  rogue_add_frame (rogue, g_strdup_printf ("{\"type\":\"signal\",\"from\":"
          "\"x\",\"data\":{\"text\":\"%s\"}}", pad));
  a = client_new (fx, "alice", rogue->url);
  join_and_wait (fx, a, "rogue");
  WAIT_FOR (COUNT (a, n_lost) >= 1);
  g_assert_error (a->lost_error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  /* it joins again (and is cut again: the rogue repeats itself) */
  WAIT_FOR (rogue->joins >= 2);
  g_assert_cmpuint (array_len (a, a->signals), ==, 0);
  g_assert_cmpuint (COUNT (a, n_fatal), ==, 0);
  client_free (a);
  rogue_free (rogue);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/signaller/join-and-leave", Fixture, no_args, fixture_setup,
      test_join_and_leave, fixture_teardown);
  g_test_add ("/signaller/relay", Fixture, no_args, fixture_setup,
      test_relay, fixture_teardown);
  g_test_add ("/signaller/unknown-peer-is-not-fatal", Fixture, no_args,
      fixture_setup, test_unknown_peer_is_not_fatal, fixture_teardown);
  g_test_add ("/signaller/send-from-threads", Fixture, no_rate_limit_args,
      fixture_setup, test_send_from_threads, fixture_teardown);
  g_test_add ("/signaller/unreachable", Fixture, NULL, fixture_setup,
      test_unreachable, fixture_teardown);
  g_test_add ("/signaller/connect-timeout", Fixture, NULL, fixture_setup,
      test_connect_timeout, fixture_teardown);
  g_test_add ("/signaller/bad-url", Fixture, NULL, fixture_setup,
      test_bad_url, fixture_teardown);
  g_test_add ("/signaller/room-full", Fixture, room_full_args,
      fixture_setup, test_room_full, fixture_teardown);
  g_test_add ("/signaller/unauthorized", Fixture, NULL, fixture_setup,
      test_unauthorized, fixture_teardown);
  g_test_add ("/signaller/resume-after-restart", Fixture, NULL,
      fixture_setup, test_resume_after_restart, fixture_teardown);
  g_test_add ("/signaller/server-shutdown-reconnects", Fixture, NULL,
      fixture_setup, test_server_shutdown_reconnects, fixture_teardown);
  g_test_add ("/signaller/resume-refused-gives-new-id", Fixture, no_args,
      fixture_setup, test_resume_refused_gives_new_id, fixture_teardown);
  g_test_add ("/signaller/queue-is-bounded", Fixture, no_rate_limit_args,
      fixture_setup, test_queue_is_bounded, fixture_teardown);
  g_test_add ("/signaller/reconnect-gives-up", Fixture, no_args,
      fixture_setup, test_reconnect_gives_up, fixture_teardown);
  g_test_add ("/signaller/join-too-large", Fixture, small_frames_args,
      fixture_setup, test_join_too_large, fixture_teardown);
  g_test_add ("/signaller/keepalive-detects-frozen-server", Fixture,
      no_args, fixture_setup, test_keepalive_detects_frozen_server,
      fixture_teardown);
  g_test_add ("/signaller/stop-unref", Fixture, no_args, fixture_setup,
      test_stop_unref, fixture_teardown);

  g_test_add ("/signaller/rogue-deep-frame", Fixture, NULL, fixture_setup,
      test_rogue_deep_frame, fixture_teardown);
  g_test_add ("/signaller/rogue-huge-frame", Fixture, NULL, fixture_setup,
      test_rogue_huge_frame, fixture_teardown);

  return g_test_run ();
}
