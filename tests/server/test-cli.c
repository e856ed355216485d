/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The server as an operator runs it: --version, --mint-token (tokens
 * accepted by a real server, expired and wrong-room ones refused),
 * --log-level (what is logged, and that no token reaches the log), the
 * web root's default and the warning about a missing one. */

#include "server-util.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define SECRET "a-join-token-secret-for-cli-tests\n"

typedef struct
{
  gchar *dir;
  gchar *secret_file;
  gchar *log_file;
} Fixture;

static void
fixture_set_up (Fixture * f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("wr-cli-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->secret_file = g_build_filename (f->dir, "token-secret", NULL);
  g_assert_true (g_file_set_contents (f->secret_file, SECRET, -1, NULL));
  f->log_file = g_build_filename (f->dir, "server.log", NULL);
}

static void
fixture_tear_down (Fixture * f, gconstpointer data)
{
  g_unlink (f->secret_file);
  g_unlink (f->log_file);
  g_rmdir (f->dir);
  g_free (f->secret_file);
  g_free (f->log_file);
  g_free (f->dir);
}

/* Runs the server binary to completion with @args; returns its exit
 * status, stdout in @out and stderr in @err */
static gint
run_server_binary (const gchar * const *args, gchar ** out, gchar ** err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  guint i;

  g_ptr_array_add (argv, (gpointer) g_getenv ("WEBRTC_ROOM_SERVER"));
  for (i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_newv ((const gchar * const *) argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, out, err,
          &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (p));
  return g_subprocess_get_exit_status (p);
}

static gchar *
mint (Fixture * f, const gchar * room, const gchar * ttl)
{
  g_autofree gchar *secret_arg = g_strdup_printf ("--token-secret-file=%s",
      f->secret_file);
  g_autofree gchar *room_arg = g_strdup_printf ("--room=%s", room);
  g_autofree gchar *ttl_arg = g_strdup_printf ("--ttl=%s", ttl);
  const gchar *args[] = { "--mint-token", room_arg, ttl_arg, secret_arg,
    NULL
  };
  gchar *out = NULL;
  g_autofree gchar *err = NULL;

  g_assert_cmpint (run_server_binary (args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  /* one line, base64url "." base64url */
  g_assert_true (g_str_has_suffix (out, "\n"));
  g_strchomp (out);
  g_assert_null (strchr (out, '\n'));
  g_assert_nonnull (strchr (out, '.'));
  return out;
}

/* Starts the server with its stderr going to @f->log_file */
static WrTestServer *
start_logged_server (Fixture * f, const gchar * const *args)
{
  g_autoptr (GError) error = NULL;
  WrTestServer *server;
  gint saved = dup (2);
  gint fd = open (f->log_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (saved, >=, 0);
  g_assert_cmpint (dup2 (fd, 2), ==, 2);
  close (fd);
  server = wr_test_server_start (args, &error);
  g_assert_cmpint (dup2 (saved, 2), ==, 2);
  close (saved);
  g_assert_no_error (error);
  return server;
}

static gchar *
read_log (Fixture * f)
{
  gchar *text = NULL;

  g_assert_true (g_file_get_contents (f->log_file, &text, NULL, NULL));
  return text;
}

/* SIGTERM: a clean exit (status 0, so no sanitizer report either); the
 * server's log is printed when it is not */
static void
terminate_logged_server (Fixture * f, WrTestServer * server)
{
  gint status = wr_test_server_terminate (server);

  if (status != 0) {
    g_autofree gchar *log = read_log (f);

    g_printerr ("server log:\n%s\n", log);
  }
  g_assert_cmpint (status, ==, 0);
}

/* joins @room with @token: TRUE on welcome, FALSE on unauthorized + close
 * 1008; anything else fails the test */
static gboolean
join_with_token (WrTestServer * server, const gchar * room, const gchar * token)
{
  g_autoptr (WrTestClient) c = wr_test_client_connect_to (server);
  g_autofree gchar *join = gst_webrtc_room_build_join (room, "cli", NULL,
      TRUE, token, NULL);
  g_autoptr (GstWebRTCRoomMessage) msg = NULL;
  gushort code = 0;

  wr_test_client_send (c, join);
  msg = wr_test_client_next_message (c, T);
  g_assert_nonnull (msg);
  if (msg->type == GST_WEBRTC_ROOM_MESSAGE_WELCOME) {
    g_assert_cmpstr (msg->room, ==, room);
    wr_test_client_close (c, 1000);
    return TRUE;
  }
  g_assert_cmpint (msg->type, ==, GST_WEBRTC_ROOM_MESSAGE_ERROR);
  g_assert_cmpstr (msg->code_string, ==, "unauthorized");
  g_assert_true (wr_test_client_wait_closed (c, T, &code));
  g_assert_cmpuint (code, ==, 1008);
  return FALSE;
}

static void
test_version (void)
{
  const gchar *args[] = { "--version", NULL };
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;

  g_assert_cmpint (run_server_binary (args, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "webrtc-room-server "));
  g_assert_nonnull (strstr (out, "protocol v1"));
}

static void
test_mint_bad_usage (Fixture * f, gconstpointer data)
{
  g_autofree gchar *secret_arg = g_strdup_printf ("--token-secret-file=%s",
      f->secret_file);
  const gchar *no_secret[] = { "--mint-token", "--room=r", NULL };
  const gchar *no_room[] = { "--mint-token", secret_arg, NULL };
  const gchar *bad_room[] = { "--mint-token", "--room=a b", secret_arg, NULL };
  const gchar *bad_ttl[] = { "--mint-token", "--room=r", "--ttl=0",
    secret_arg, NULL
  };
  const gchar *missing[] = { "--mint-token", "--room=r",
    "--token-secret-file=/nonexistent/secret", NULL
  };
  const gchar *room_alone[] = { "--room=r", NULL };
  const gchar *const *cases[] = { no_secret, no_room, bad_room, bad_ttl,
    missing, room_alone
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree gchar *out = NULL;
    g_autofree gchar *err = NULL;

    g_assert_cmpint (run_server_binary (cases[i], &out, &err), ==, 2);
    g_assert_cmpstr (out, ==, "");
    g_assert_true (g_str_has_prefix (err, "webrtc-room-server: "));
  }
}

static void
test_minted_tokens (Fixture * f, gconstpointer data)
{
  g_autofree gchar *secret_arg = g_strdup_printf ("--token-secret-file=%s",
      f->secret_file);
  const gchar *args[] = { secret_arg, "--log-level=info", NULL };
  g_autofree gchar *good = mint (f, "tokens", "60");
  g_autofree gchar *any = mint (f, "*", "60");
  g_autofree gchar *other = mint (f, "elsewhere", "60");
  g_autofree gchar *short_lived = mint (f, "tokens", "1");
  g_autofree gchar *log = NULL;
  WrTestServer *server = start_logged_server (f, args);

  g_assert_true (join_with_token (server, "tokens", good));
  g_assert_true (join_with_token (server, "tokens", any));
  g_assert_true (join_with_token (server, "another", any));
  g_assert_false (join_with_token (server, "tokens", other));
  g_assert_false (join_with_token (server, "tokens", NULL));
  /* exp = now + 1 s: 2.2 s later it has expired */
  g_usleep (2200 * 1000);
  g_assert_false (join_with_token (server, "tokens", short_lived));
  g_assert_true (join_with_token (server, "tokens", good));
  terminate_logged_server (f, server);

  /* joins and refusals are logged at info, tokens never */
  log = read_log (f);
  g_assert_nonnull (strstr (log, "joined room tokens"));
  g_assert_nonnull (strstr (log, "join refused: unauthorized"));
  g_assert_null (strstr (log, good));
  g_assert_null (strstr (log, short_lived));
  g_assert_null (strstr (log, other));
}

/* A minted token for another secret is refused */
static void
test_minted_wrong_secret (Fixture * f, gconstpointer data)
{
  g_autofree gchar *other_file = g_build_filename (f->dir, "other", NULL);
  g_autofree gchar *secret_arg = g_strdup_printf ("--token-secret-file=%s",
      other_file);
  const gchar *args[] = { secret_arg, NULL };
  g_autofree gchar *token = mint (f, "tokens", "60");
  WrTestServer *server;

  g_assert_true (g_file_set_contents (other_file,
          "another-secret-of-this-test", -1, NULL));
  server = wr_test_server_start (args, NULL);
  g_assert_nonnull (server);
  g_assert_false (join_with_token (server, "tokens", token));
  wr_test_server_stop (server);
  g_unlink (other_file);
}

/* --log-level=message hides joins; debug shows them; no level logs the
 * SDP or candidates relayed in signal messages */
static void
test_log_level (Fixture * f, gconstpointer data)
{
  const gchar *levels[] = { "message", "debug", "info" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (levels); i++) {
    g_autofree gchar *level_arg = g_strdup_printf ("--log-level=%s",
        levels[i]);
    const gchar *args[] = { level_arg, "--web-root=/nonexistent/web", NULL };
    WrTestServer *server = start_logged_server (f, args);
    g_autoptr (WrTestClient) a = wr_test_client_connect_to (server);
    g_autoptr (WrTestClient) b = wr_test_client_connect_to (server);
    g_autoptr (GstWebRTCRoomMessage) wa = wr_test_client_join (a, "logs",
        "a", NULL);
    g_autoptr (GstWebRTCRoomMessage) wb = wr_test_client_join (b, "logs",
        "b", NULL);
    g_autoptr (GstWebRTCRoomMessage) got = NULL;
    g_autofree gchar *signal = NULL;
    g_autofree gchar *log = NULL;

    g_assert_nonnull (wa);
    g_assert_nonnull (wb);
    signal = g_strdup_printf ("{\"type\":\"signal\",\"to\":\"%s\",\"data\":"
        "{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0 SECRET-SDP-MARK\"},"
        "\"candidate\":{\"candidate\":\"candidate:SECRET-CAND-MARK\"}}}",
        wb->peer);
    wr_test_client_send (a, signal);
    got = wr_test_client_wait_type (b, GST_WEBRTC_ROOM_MESSAGE_SIGNAL, T);
    g_assert_nonnull (got);
    wr_test_client_close (a, 1000);
    wr_test_client_close (b, 1000);
    terminate_logged_server (f, server);

    log = read_log (f);
    g_assert_nonnull (strstr (log, "web root /nonexistent/web"));
    if (g_str_equal (levels[i], "message"))
      g_assert_null (strstr (log, "joined room logs"));
    else
      g_assert_nonnull (strstr (log, "joined room logs"));
    g_assert_null (strstr (log, "SECRET-SDP-MARK"));
    g_assert_null (strstr (log, "SECRET-CAND-MARK"));
    g_assert_null (strstr (log, wa->resume));
  }
}

/* Without --web-root: $WEBRTC_ROOM_WEB_ROOT (what `meson devenv` sets), else
 * the installed client's path; a missing one is a warning at startup and a
 * placeholder at / (no other file) */
static void
test_web_root (Fixture * f, gconstpointer data)
{
  g_autofree gchar *client = g_build_filename (g_getenv
      ("WEBRTC_ROOM_SOURCE_ROOT"), "examples", "web", NULL);
  g_autofree gchar *missing = g_build_filename (f->dir, "no-web", NULL);
  const gchar *args[] = { NULL };
  WrTestServer *server;
  g_autofree gchar *index = NULL;
  g_autofree gchar *placeholder = NULL;
  g_autofree gchar *app = NULL;
  g_autofree gchar *log = NULL;

  g_setenv ("WEBRTC_ROOM_WEB_ROOT", client, TRUE);
  server = start_logged_server (f, args);
  g_assert_cmpuint (http_get (server, "/", &index, NULL), ==, 200);
  g_assert_nonnull (strstr (index, "<html"));
  g_assert_null (strstr (index, "not installed"));
  terminate_logged_server (f, server);
  log = read_log (f);
  g_assert_null (strstr (log, "web root"));
  g_clear_pointer (&log, g_free);

  g_setenv ("WEBRTC_ROOM_WEB_ROOT", missing, TRUE);
  server = start_logged_server (f, args);
  g_assert_cmpuint (http_get (server, "/", &placeholder, NULL), ==, 200);
  g_assert_nonnull (strstr (placeholder, "not installed"));
  g_assert_cmpuint (http_get (server, "/app.js", &app, NULL), ==, 404);
  terminate_logged_server (f, server);
  log = read_log (f);
  g_assert_nonnull (strstr (log, missing));
  g_assert_nonnull (strstr (log, "WARNING"));
  g_unsetenv ("WEBRTC_ROOM_WEB_ROOT");
}

int
main (int argc, char **argv)
{
  const gchar *source_root = g_getenv ("WEBRTC_ROOM_SOURCE_ROOT");

  g_test_init (&argc, &argv, NULL);
  /* for the servers started here (read by LSan in sanitizer builds only) */
  if (source_root && !g_getenv ("LSAN_OPTIONS")) {
    g_autofree gchar *lsan = g_strdup_printf ("suppressions=%s/tests/server/"
        "lsan-libsoup-accept.supp:print_suppressions=0:fast_unwind_on_malloc=0",
        source_root);

    g_setenv ("LSAN_OPTIONS", lsan, TRUE);
  }
  g_test_add_func ("/cli/version", test_version);
  g_test_add ("/cli/mint-bad-usage", Fixture, NULL, fixture_set_up,
      test_mint_bad_usage, fixture_tear_down);
  g_test_add ("/cli/minted-tokens", Fixture, NULL, fixture_set_up,
      test_minted_tokens, fixture_tear_down);
  g_test_add ("/cli/minted-wrong-secret", Fixture, NULL, fixture_set_up,
      test_minted_wrong_secret, fixture_tear_down);
  g_test_add ("/cli/log-level", Fixture, NULL, fixture_set_up,
      test_log_level, fixture_tear_down);
  g_test_add ("/cli/web-root", Fixture, NULL, fixture_set_up,
      test_web_root, fixture_tear_down);
  return g_test_run ();
}
