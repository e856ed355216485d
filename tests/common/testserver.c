/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "testserver.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 5000

struct _WrTestServer
{
  GSubprocess *process;
  guint port;
  guint stun_port;
};

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
wr_test_wait_until (gboolean (*done) (gpointer), gpointer data,
    guint timeout_ms)
{
  GMainContext *context = g_main_context_get_thread_default ();
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_ms);
  gboolean result;

  g_source_set_callback (timeout, on_timeout, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!(result = done (data)) && !timed_out)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  return result;
}

typedef struct
{
  gchar *line;
  gboolean done;
  GError *error;
} LineRead;

static void
on_line (GObject * source, GAsyncResult * result, gpointer user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8
      (G_DATA_INPUT_STREAM (source), result, NULL, &read->error);
  read->done = TRUE;
}

static gboolean
line_done (gpointer data)
{
  return ((LineRead *) data)->done;
}

static gboolean
parse_listening_line (WrTestServer * server, const gchar * line)
{
  const gchar *p = strstr (line, "listening on ");
  const gchar *stun;

  if (!p || !(p = strstr (p, "://")) || !(p = strstr (p, "/ws")))
    return FALSE;
  /* ws://HOST:PORT/ws: the port ends where "/ws" starts */
  while (p > line && p[-1] != ':')
    p--;
  server->port = g_ascii_strtoull (p, NULL, 10);
  stun = strstr (line, "stun=");
  if (stun && !g_str_has_prefix (stun, "stun=off")) {
    const gchar *colon = strrchr (stun, ':');

    server->stun_port = colon ? g_ascii_strtoull (colon + 1, NULL, 10) : 0;
  }
  return server->port > 0;
}

/* a failing test must not leave its server behind */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

WrTestServer *
wr_test_server_start (const gchar * const *extra_args, GError ** error)
{
  const gchar *binary = g_getenv ("WEBRTC_ROOM_SERVER");
  const gchar *threads = g_getenv ("WEBRTC_ROOM_SERVER_IO_THREADS");
  g_autofree gchar *io_threads = threads ?
      g_strdup_printf ("--io-threads=%s", threads) : NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  LineRead read = { 0 };
  WrTestServer *server;
  guint i;

  if (!binary) {
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "WEBRTC_ROOM_SERVER is not set (run the tests with meson test)");
    return NULL;
  }
  g_ptr_array_add (argv, (gpointer) binary);
  g_ptr_array_add (argv, (gpointer) "--host=127.0.0.1");
  g_ptr_array_add (argv, (gpointer) "--port=0");
  g_ptr_array_add (argv, (gpointer) "--stun-port=0");
  /* a suite run again with another number of I/O threads */
  if (io_threads)
    g_ptr_array_add (argv, io_threads);
  for (i = 0; extra_args && extra_args[i]; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher,
      (const gchar * const *) argv->pdata, error);
  if (!process)
    return NULL;

  server = g_new0 (WrTestServer, 1);
  server->process = g_steal_pointer (&process);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe
      (server->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, cancel,
      on_line, &read);
  if (!wr_test_wait_until (line_done, &read, START_TIMEOUT_MS)) {
    g_cancellable_cancel (cancel);
    wr_test_wait_until (line_done, &read, START_TIMEOUT_MS);
  }
  if (!read.line || !parse_listening_line (server, read.line)) {
    if (read.error)
      g_propagate_error (error, read.error);
    else
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
          "server did not report listening (got '%s')",
          read.line ? read.line : "nothing");
    g_free (read.line);
    wr_test_server_kill (server);
    return NULL;
  }
  g_clear_error (&read.error);
  g_free (read.line);
  return server;
}

WrTestServer *
wr_test_server_spawn (const gchar * first_arg, ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const gchar *arg;
  WrTestServer *server;
  va_list ap;

  va_start (ap, first_arg);
  for (arg = first_arg; arg; arg = va_arg (ap, const gchar *))
      g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  server = wr_test_server_start ((const gchar * const *) args->pdata, &error);
  g_assert_no_error (error);
  g_assert_nonnull (server);
  return server;
}

guint
wr_test_server_get_port (WrTestServer * server)
{
  return server->port;
}

guint
wr_test_server_get_stun_port (WrTestServer * server)
{
  return server->stun_port;
}

gchar *
wr_test_server_get_ws_url (WrTestServer * server)
{
  return g_strdup_printf ("ws://127.0.0.1:%u/ws", server->port);
}

gchar *
wr_test_server_get_http_url (WrTestServer * server, const gchar * path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", server->port, path);
}

GPid
wr_test_server_get_pid (WrTestServer * server)
{
  const gchar *id = g_subprocess_get_identifier (server->process);

  return id ? (GPid) g_ascii_strtoll (id, NULL, 10) : 0;
}

typedef struct
{
  gboolean done;
} WaitData;

static void
on_waited (GObject * source, GAsyncResult * result, gpointer user_data)
{
  WaitData *wait = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  wait->done = TRUE;
}

static gboolean
wait_done (gpointer data)
{
  return ((WaitData *) data)->done;
}

static gboolean
wait_exit (GSubprocess * process, guint timeout_ms)
{
  WaitData wait = { FALSE };
  g_autoptr (GCancellable) cancel = g_cancellable_new ();

  g_subprocess_wait_async (process, cancel, on_waited, &wait);
  if (!wr_test_wait_until (wait_done, &wait, timeout_ms)) {
    g_cancellable_cancel (cancel);
    wr_test_wait_until (wait_done, &wait, STOP_TIMEOUT_MS);
    return FALSE;
  }
  return TRUE;
}

static void
server_free (WrTestServer * server)
{
  g_object_unref (server->process);
  g_free (server);
}

gint
wr_test_server_terminate (WrTestServer * server)
{
  gint status = -1;

  g_subprocess_send_signal (server->process, SIGTERM);
  if (wait_exit (server->process, STOP_TIMEOUT_MS)) {
    if (g_subprocess_get_if_exited (server->process))
      status = g_subprocess_get_exit_status (server->process);
  } else {
    g_subprocess_force_exit (server->process);
    wait_exit (server->process, STOP_TIMEOUT_MS);
  }
  server_free (server);
  return status;
}

void
wr_test_server_stop (WrTestServer * server)
{
  wr_test_server_terminate (server);
}

void
wr_test_server_kill (WrTestServer * server)
{
  g_subprocess_force_exit (server->process);
  wait_exit (server->process, STOP_TIMEOUT_MS);
  server_free (server);
}

guint
wr_test_pick_udp_port (void)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) local = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  if (!socket || !g_socket_bind (socket, addr, FALSE, NULL))
    return 0;
  local = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
}
