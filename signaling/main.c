/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* webrtc-room-server: room signaling server with a STUN responder. */

#include "server.h"
#include "cluster.h"
#include "stun.h"
#include "tokens.h"

#include <gst/webrtcroom/protocol.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define EXIT_USAGE 2
#define MAX_IO_THREADS 64

typedef struct
{
  gchar *host;
  gchar *public_host;
  gint port;
  gint stun_port;
  gchar *tls_cert;
  gchar *tls_key;
  gchar *secret_file;
  gchar *token_secret_file;
  gint max_peers_per_room;
  gint max_message_size;
  gdouble rate_limit;
  gint rate_burst;
  gdouble join_timeout;
  gint ping_interval;
  gdouble resume_grace;
  gchar *web_root;
  gchar **allowed_origins;
  gchar **stun_urls;
  gchar **turn_urls;
  gchar *turn_username;
  gchar *turn_credential;
  gchar *turn_secret_file;
  gint turn_ttl;
  gint max_connections;
  gint max_connections_per_address;
  gint http_timeout;
  gdouble whip_idle_timeout;
  gboolean reuse_port;
  gint io_threads;
  gchar *redis_url;
  gint redis_ttl;
  gboolean quiet;
  gchar *log_level;
  gboolean version;
  gboolean mint_token;
  gchar *room;
  gint ttl;
} Options;

static void
options_clear (Options * o)
{
  g_free (o->host);
  g_free (o->public_host);
  g_free (o->tls_cert);
  g_free (o->tls_key);
  g_free (o->secret_file);
  g_free (o->token_secret_file);
  g_free (o->web_root);
  g_strfreev (o->allowed_origins);
  g_strfreev (o->stun_urls);
  g_strfreev (o->turn_urls);
  g_free (o->turn_username);
  g_free (o->turn_credential);
  g_free (o->turn_secret_file);
  g_free (o->log_level);
  g_free (o->room);
  g_free (o->redis_url);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)
/* Prints a usage error; returns FALSE for the caller to give up with
 * EXIT_USAGE (no exit () here: cleanups still run). */
     static gboolean
         usage_error (const gchar * format, ...) G_GNUC_PRINTF (1, 2);

     static gboolean usage_error (const gchar * format, ...)
{
  va_list args;
  g_autofree gchar *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "webrtc-room-server: %s\n"
      "Try 'webrtc-room-server --help' for the options.\n", text);
  return FALSE;
}

/* The server logs with g_info/g_message/g_warning: joins, leaves and
 * rejected joins are info; peer ids and room names only, never SDP, ICE
 * candidates or tokens. */
static GLogLevelFlags
log_level_from_string (const gchar * name)
{
  static const struct
  {
    const gchar *name;
    GLogLevelFlags level;
  } levels[] = {
    {"error", G_LOG_LEVEL_CRITICAL},
    {"warning", G_LOG_LEVEL_WARNING},
    {"message", G_LOG_LEVEL_MESSAGE},
    {"info", G_LOG_LEVEL_INFO},
    {"debug", G_LOG_LEVEL_DEBUG},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (levels); i++) {
    if (g_ascii_strcasecmp (name, levels[i].name) == 0)
      return levels[i].level;
  }
  return 0;
}

/* @user_data: the most verbose GLogLevelFlags bit to write. Under systemd
 * (stderr connected to the journal) records go to the journal with their
 * priority; otherwise one line each on stderr. */
static GLogWriterOutput
log_writer (GLogLevelFlags log_level, const GLogField * fields,
    gsize n_fields, gpointer user_data)
{
  GLogLevelFlags max = GPOINTER_TO_UINT (user_data);

  if ((log_level & G_LOG_LEVEL_MASK) > max)
    return G_LOG_WRITER_HANDLED;
  if (g_log_writer_is_journald (fileno (stderr))
      && g_log_writer_journald (log_level, fields, n_fields,
          NULL) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_standard_streams (log_level, fields, n_fields, NULL);
}

static void
setup_logging (const Options * o)
{
  GLogLevelFlags max = G_LOG_LEVEL_INFO;

  if (o->quiet)
    max = G_LOG_LEVEL_MESSAGE;
  if (o->log_level)
    max = log_level_from_string (o->log_level);
  /* info and debug records reach the writer only when enabled */
  if (max >= G_LOG_LEVEL_INFO)
    g_log_set_debug_enabled (TRUE);
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (log_writer, GUINT_TO_POINTER (max), NULL);
}

/* One I/O thread per processor: the main thread's room logic is the
 * smaller part of a message's cost (tests/bench/README.md) */
static guint
default_io_threads (void)
{
  guint n = g_get_num_processors ();

  return n > 1 ? n : 0;
}

static gboolean
parse_options (Options * o, int argc, char **argv)
{
  GOptionEntry entries[] = {
    {"host", 0, 0, G_OPTION_ARG_STRING, &o->host,
        "IP address to listen on (default 127.0.0.1)", "ADDR"},
    {"port", 0, 0, G_OPTION_ARG_INT, &o->port,
          "TCP port for WebSocket and HTTP (default 8443, 0 = ephemeral)",
        "PORT"},
    {"stun-port", 0, 0, G_OPTION_ARG_INT, &o->stun_port,
        "UDP port of the STUN responder (default 3478, 0 = off)", "PORT"},
    {"public-host", 0, 0, G_OPTION_ARG_STRING, &o->public_host,
        "Host advertised for the STUN responder in iceServers "
          "(default: --host)", "HOST"},
    {"tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_cert,
        "PEM certificate: serve wss:// and https://", "FILE"},
    {"tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_key,
        "PEM private key of --tls-cert", "FILE"},
    {"secret-file", 0, 0, G_OPTION_ARG_FILENAME, &o->secret_file,
        "Resume token secret; created with a random secret if missing "
          "(default: a random secret per run)", "FILE"},
    {"token-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &o->token_secret_file,
        "Join token secret: joins must carry a valid token", "FILE"},
    {"max-peers-per-room", 0, 0, G_OPTION_ARG_INT, &o->max_peers_per_room,
        "Room capacity (default 0 = unlimited)", "N"},
    {"max-message-size", 0, 0, G_OPTION_ARG_INT, &o->max_message_size,
        "Largest accepted frame in bytes (default 65536)", "BYTES"},
    {"rate-limit", 0, 0, G_OPTION_ARG_DOUBLE, &o->rate_limit,
        "Messages per second per connection (default 50, 0 = off)", "RATE"},
    {"rate-burst", 0, 0, G_OPTION_ARG_INT, &o->rate_burst,
        "Burst size of the rate limit (default 100)", "N"},
    {"join-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->join_timeout,
          "Seconds a connection may stay without join (default 10, 0 = off)",
        "SECONDS"},
    {"ping-interval", 0, 0, G_OPTION_ARG_INT, &o->ping_interval,
        "Seconds between WebSocket pings, 3 missed = lost "
          "(default 10, 0 = off)", "SECONDS"},
    {"resume-grace", 0, 0, G_OPTION_ARG_DOUBLE, &o->resume_grace,
        "Seconds a lost peer is kept for resume (default 30)", "SECONDS"},
    {"web-root", 0, 0, G_OPTION_ARG_FILENAME, &o->web_root,
        "Directory served at / (default: the browser client)", "DIR"},
    {"allowed-origin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->allowed_origins,
        "Accept WebSocket upgrades only from this Origin (repeatable; "
          "default: any origin)", "ORIGIN"},
    {"stun-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->stun_urls,
        "Extra STUN server for iceServers (repeatable)", "stun:HOST:PORT"},
    {"turn-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->turn_urls,
        "TURN server for iceServers (repeatable)", "turn:HOST:PORT"},
    {"turn-username", 0, 0, G_OPTION_ARG_STRING, &o->turn_username,
        "Username of the --turn-url servers", "NAME"},
    {"turn-credential", 0, 0, G_OPTION_ARG_STRING, &o->turn_credential,
        "Credential of the --turn-url servers", "SECRET"},
    {"turn-secret-file", 0, 0, G_OPTION_ARG_FILENAME, &o->turn_secret_file,
        "Secret shared with the --turn-url servers (coturn "
          "static-auth-secret): each welcome carries time-limited TURN "
          "credentials (TURN REST: user <expiry>:<peer id>)", "FILE"},
    {"turn-ttl", 0, 0, G_OPTION_ARG_INT, &o->turn_ttl,
        "Lifetime of those TURN credentials (default 86400)", "SECONDS"},
    {"max-connections", 0, 0, G_OPTION_ARG_INT, &o->max_connections,
        "Open TCP connections above which new ones are refused "
          "(default 0 = the fd limit less a reserve)", "N"},
    {"max-connections-per-address", 0, 0, G_OPTION_ARG_INT,
          &o->max_connections_per_address,
          "Open TCP connections per source address (default 0 = no limit)",
        "N"},
    {"whip-idle-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &o->whip_idle_timeout,
        "Seconds a WHIP/WHEP session stays once its member reported the "
          "connection to the client dead (default 15)", "SECONDS"},
    {"http-timeout", 0, 0, G_OPTION_ARG_INT, &o->http_timeout,
        "Seconds a connection may take to send a request and get its "
          "answer or upgrade (default 10)", "SECONDS"},
    {"reuse-port", 0, 0, G_OPTION_ARG_NONE, &o->reuse_port,
        "Listen with SO_REUSEPORT: several servers share --port (with "
          "--redis-url, so that they share rooms too)", NULL},
    {"io-threads", 0, 0, G_OPTION_ARG_INT, &o->io_threads,
        "Threads that read and write the WebSockets (plain ws://; wss:// "
          "stays on the main thread), the room logic staying on the main "
          "thread; 0: none (default: one per processor, 0 on one)", "N"},
    {"redis-url", 0, 0, G_OPTION_ARG_STRING, &o->redis_url,
        "Share rooms with the other servers using this Redis (peers on "
          "different servers meet; resume works on any of them with the "
          "same --secret-file)", "redis://[:PASSWORD@]HOST[:PORT][/DB]"},
    {"redis-ttl", 0, 0, G_OPTION_ARG_INT, &o->redis_ttl,
        "Seconds after which the others drop the peers of a server that "
          "stopped refreshing its liveness in Redis (default 10)", "SECONDS"},
    {"log-level", 0, 0, G_OPTION_ARG_STRING, &o->log_level,
        "Most verbose level logged: error, warning, message, info (joins, "
          "leaves, rejected joins) or debug (default info)", "LEVEL"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet,
        "Do not log joins and leaves (--log-level=message)", NULL},
    {"version", 0, 0, G_OPTION_ARG_NONE, &o->version,
        "Print the version and exit", NULL},
    {"mint-token", 0, 0, G_OPTION_ARG_NONE, &o->mint_token,
        "Print a join token for --room signed with --token-secret-file, "
          "valid for --ttl seconds, and exit", NULL},
    {"room", 0, 0, G_OPTION_ARG_STRING, &o->room,
        "Room the token admits to ('*': any room)", "ROOM"},
    {"ttl", 0, 0, G_OPTION_ARG_INT, &o->ttl,
        "Lifetime of the token (default 3600)", "SECONDS"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- WebRTC room signaling server");
  g_autoptr (GError) error = NULL;

  g_option_context_set_summary (context,
      "Room signaling server (protocol v1, WebSocket at /ws) with a "
      "built-in STUN responder.\nPrints 'webrtc-room-server: listening on "
      "ws://HOST:PORT/ws stun=HOST:PORT' once ready.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error ("%s", error->message);
  if (argc > 1)
    return usage_error ("unexpected argument '%s'", argv[1]);
  if (o->version)
    return TRUE;

  if (o->mint_token) {
    if (!o->token_secret_file)
      return usage_error ("--mint-token needs --token-secret-file");
    if (!o->room)
      return usage_error ("--mint-token needs --room (a room name or '*')");
    if (!g_str_equal (o->room, "*") && !gst_webrtc_room_is_valid_room (o->room))
      return usage_error ("--room: '%s' is no room name (1..%d characters "
          "of A-Z a-z 0-9 _ . -, or '*')", o->room,
          GST_WEBRTC_ROOM_MAX_ROOM_LEN);
    if (o->ttl <= 0)
      return usage_error ("--ttl must be > 0");
    return TRUE;
  }
  if (o->room)
    return usage_error ("--room goes with --mint-token");
  if (o->log_level && log_level_from_string (o->log_level) == 0)
    return usage_error ("--log-level must be error, warning, message, info "
        "or debug, not '%s'", o->log_level);

  if (o->port < 0 || o->port > 65535)
    return usage_error ("--port must be 0..65535");
  if (o->stun_port < 0 || o->stun_port > 65535)
    return usage_error ("--stun-port must be 0..65535");
  if (o->max_peers_per_room < 0)
    return usage_error ("--max-peers-per-room must be >= 0");
  if (o->max_message_size < 256)
    return usage_error ("--max-message-size must be >= 256");
  if (o->rate_limit < 0)
    return usage_error ("--rate-limit must be >= 0");
  if (o->rate_burst < 1)
    return usage_error ("--rate-burst must be >= 1");
  if (o->join_timeout < 0)
    return usage_error ("--join-timeout must be >= 0");
  if (o->ping_interval < 0)
    return usage_error ("--ping-interval must be >= 0");
  if (o->resume_grace < 0)
    return usage_error ("--resume-grace must be >= 0");
  if (!o->tls_cert != !o->tls_key)
    return usage_error ("--tls-cert and --tls-key go together");
  if ((o->turn_username || o->turn_credential) && !o->turn_urls)
    return usage_error ("--turn-username/--turn-credential need --turn-url");
  if (o->turn_secret_file && !o->turn_urls)
    return usage_error ("--turn-secret-file needs --turn-url");
  if (o->turn_secret_file && (o->turn_username || o->turn_credential))
    return usage_error ("--turn-secret-file replaces --turn-username and "
        "--turn-credential: give one or the other");
  if (o->max_connections < 0 || o->max_connections_per_address < 0)
    return usage_error ("--max-connections* must be >= 0");
  if (o->http_timeout < 1)
    return usage_error ("--http-timeout must be >= 1");
  if (o->io_threads < -1 || o->io_threads > MAX_IO_THREADS)
    return usage_error ("--io-threads must be 0.."
        G_STRINGIFY (MAX_IO_THREADS));
  if (!(o->whip_idle_timeout >= 0.1 && o->whip_idle_timeout <= 86400))
    return usage_error ("--whip-idle-timeout must be 0.1..86400");
  if (o->turn_ttl <= 0)
    return usage_error ("--turn-ttl must be > 0");
  if (o->redis_ttl < 1 || o->redis_ttl > 86400)
    return usage_error ("--redis-ttl must be 1..86400");
  if (o->redis_url && !wr_cluster_is_supported ())
    return usage_error ("--redis-url: this server was built without Redis "
        "support (install libhiredis-dev and build again)");
  if (o->redis_url && !g_str_has_prefix (o->redis_url, "redis://"))
    return usage_error ("--redis-url must be redis://HOST[:PORT][/DB], not "
        "'%s'", o->redis_url);
  for (guint i = 0; o->turn_urls && o->turn_urls[i]; i++) {
    if (!g_str_has_prefix (o->turn_urls[i], "turn:")
        && !g_str_has_prefix (o->turn_urls[i], "turns:"))
      return usage_error ("--turn-url must start with turn: or turns:, "
          "not '%s'", o->turn_urls[i]);
  }
  return TRUE;
}

static int
mint_token (const Options * o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) secret = NULL;
  g_autofree gchar *token = NULL;

  secret = wr_secret_load (o->token_secret_file, &error);
  if (!secret) {
    usage_error ("--token-secret-file: %s", error->message);
    return EXIT_USAGE;
  }
  token = wr_token_new_join (secret, o->room,
      g_get_real_time () / G_USEC_PER_SEC + o->ttl);
  printf ("%s\n", token);
  return EXIT_SUCCESS;
}

/* Without --web-root: $WEBRTC_ROOM_WEB_ROOT (set by `meson devenv` to the
 * source tree's client), else the installed client */
static gchar *
default_web_root (void)
{
  const gchar *env = g_getenv ("WEBRTC_ROOM_WEB_ROOT");

  return g_strdup (env && *env ? env : WR_DEFAULT_WEB_ROOT);
}

static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit (RLIMIT_NOFILE, &limit);
  }
}

static GBytes *
load_or_create_secret (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  GBytes *secret;

  if (!path)
    return wr_secret_generate ();
  if (!g_file_test (path, G_FILE_TEST_EXISTS)) {
    g_autoptr (GBytes) random = wr_secret_generate ();
    g_autofree gchar *hex = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (random, &len);

    hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
    if (!g_file_set_contents_full (path, hex, -1,
            G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error)) {
      usage_error ("cannot create --secret-file: %s", error->message);
      return NULL;
    }
  }
  secret = wr_secret_load (path, &error);
  if (!secret)
    usage_error ("--secret-file: %s", error->message);
  return secret;
}

/* coturn's static-auth-secret is a string: the file holds it, surrounding
 * whitespace ignored */
static GBytes *
load_turn_secret (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error)) {
    usage_error ("--turn-secret-file: %s", error->message);
    return NULL;
  }
  g_strstrip (text);
  if (!*text) {
    usage_error ("--turn-secret-file: %s is empty", path);
    return NULL;
  }
  return g_bytes_new (text, strlen (text));
}

static void
add_ice_server (JsonArray * servers, const gchar * url,
    const gchar * username, const gchar * credential)
{
  JsonObject *server = json_object_new ();
  JsonArray *urls = json_array_new ();

  json_array_add_string_element (urls, url);
  json_object_set_array_member (server, "urls", urls);
  if (username)
    json_object_set_string_member (server, "username", username);
  if (credential)
    json_object_set_string_member (server, "credential", credential);
  json_array_add_object_element (servers, server);
}

static gchar *
format_host (const gchar * host)
{
  if (strchr (host, ':'))
    return g_strdup_printf ("[%s]", host);
  return g_strdup (host);
}

typedef struct
{
  GMainLoop *loop;              /* NULL once it ended */
  gboolean failed;
} RunState;

static gboolean
on_quit_signal (gpointer user_data)
{
  RunState *state = user_data;

  if (state->loop)
    g_main_loop_quit (state->loop);
  return G_SOURCE_CONTINUE;
}

static void
on_server_fatal (const gchar * message, gpointer user_data)
{
  RunState *state = user_data;

  fprintf (stderr, "webrtc-room-server: %s: exiting\n", message);
  state->failed = TRUE;
  if (state->loop)
    g_main_loop_quit (state->loop);
}

int
main (int argc, char **argv)
{
  g_auto (Options) o = {
    .port = 8443,.stun_port = 3478,.max_message_size = 64 * 1024,
    .rate_limit = 50,.rate_burst = 100,.join_timeout = 10,
    .ping_interval = 10,.resume_grace = 30,.turn_ttl = 86400,.ttl = 3600,
    .http_timeout = 10,.redis_ttl = 10,.whip_idle_timeout = 15,.io_threads = -1,
  };
  RunState state = { 0 };
  g_autoptr (GBytes) resume_secret = NULL;
  g_autoptr (GBytes) join_secret = NULL;
  g_autoptr (GBytes) turn_secret = NULL;
  g_autoptr (JsonArray) ice_servers = json_array_new ();
  g_autoptr (WrStunServer) stun = NULL;
  g_autoptr (WrServer) server = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *stun_text = NULL;
  g_autofree gchar *host_text = NULL;
  g_autofree gchar *public_host = NULL;
  WrServerConfig config = { 0 };
  guint i;

  if (!parse_options (&o, argc, argv))
    return EXIT_USAGE;
  if (o.version) {
    printf ("webrtc-room-server %s (room protocol v1)\n", WR_VERSION);
    return EXIT_SUCCESS;
  }
  if (o.mint_token)
    return mint_token (&o);
  if (!o.host)
    o.host = g_strdup ("127.0.0.1");
  if (!o.web_root)
    o.web_root = default_web_root ();
  setup_logging (&o);
  raise_fd_limit ();
  signal (SIGPIPE, SIG_IGN);

  resume_secret = load_or_create_secret (o.secret_file);
  if (!resume_secret)
    return EXIT_USAGE;
  if (o.token_secret_file) {
    join_secret = wr_secret_load (o.token_secret_file, &error);
    if (!join_secret) {
      usage_error ("--token-secret-file: %s", error->message);
      return EXIT_USAGE;
    }
  }

  if (o.turn_secret_file) {
    turn_secret = load_turn_secret (o.turn_secret_file);
    if (!turn_secret)
      return EXIT_USAGE;
  }

  if (!g_file_test (o.web_root, G_FILE_TEST_IS_DIR))
    g_warning ("web root %s is not a directory: / serves a placeholder page "
        "and every other path 404 (install the browser client there, or "
        "give --web-root or WEBRTC_ROOM_WEB_ROOT)", o.web_root);

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;

  if (o.stun_port > 0) {
    stun = wr_stun_server_new (o.host, o.stun_port, &error);
    if (!stun) {
      fprintf (stderr, "webrtc-room-server: STUN responder: %s\n",
          error->message);
      return EXIT_FAILURE;
    }
  }

  public_host = g_strdup (o.public_host ? o.public_host : o.host);
  if (g_str_equal (public_host, "0.0.0.0") || g_str_equal (public_host, "::")) {
    g_free (public_host);
    public_host = g_strdup ("127.0.0.1");
  }
  host_text = format_host (public_host);
  if (stun) {
    g_autofree gchar *url = g_strdup_printf ("stun:%s:%u", host_text,
        wr_stun_server_get_port (stun));
    add_ice_server (ice_servers, url, NULL, NULL);
  }
  for (i = 0; o.stun_urls && o.stun_urls[i]; i++)
    add_ice_server (ice_servers, o.stun_urls[i], NULL, NULL);
  for (i = 0; !turn_secret && o.turn_urls && o.turn_urls[i]; i++)
    add_ice_server (ice_servers, o.turn_urls[i], o.turn_username,
        o.turn_credential);

  config.host = o.host;
  config.port = o.port;
  config.tls_cert = o.tls_cert;
  config.tls_key = o.tls_key;
  config.max_message_size = o.max_message_size;
  config.rate_limit = o.rate_limit;
  config.rate_burst = o.rate_burst;
  config.ping_interval_s = o.ping_interval;
  config.web_root = o.web_root;
  config.allowed_origins = (const gchar * const *) o.allowed_origins;
  config.max_connections = o.max_connections;
  config.max_connections_per_address = o.max_connections_per_address;
  config.http_timeout_s = o.http_timeout;
  config.whip_idle_timeout_s = o.whip_idle_timeout;
  config.reuse_port = o.reuse_port;
  config.io_threads = o.io_threads >= 0 ? (guint) o.io_threads :
      default_io_threads ();
  config.redis_url = o.redis_url;
  config.redis_ttl_s = o.redis_ttl;
  config.fatal = on_server_fatal;
  config.fatal_data = &state;
  config.room.max_peers_per_room = o.max_peers_per_room;
  config.room.resume_grace_us = o.resume_grace * G_USEC_PER_SEC;
  config.room.join_timeout_us = o.join_timeout * G_USEC_PER_SEC;
  config.room.resume_secret = resume_secret;
  config.room.join_secret = join_secret;
  config.room.ice_servers = ice_servers;
  if (turn_secret) {
    config.room.turn_rest_urls = o.turn_urls;
    config.room.turn_rest_secret = turn_secret;
    config.room.turn_rest_ttl_s = o.turn_ttl;
  }

  server = wr_server_new (&config, &error);
  if (!server) {
    fprintf (stderr, "webrtc-room-server: cannot start on %s:%d: %s\n",
        o.host, o.port, error->message);
    return EXIT_FAILURE;
  }

  g_free (host_text);
  host_text = format_host (o.host);
  stun_text = stun ? g_strdup_printf ("%s:%u", host_text,
      wr_stun_server_get_port (stun)) : g_strdup ("off");
  printf ("webrtc-room-server: listening on %s://%s:%u/ws stun=%s\n",
      wr_server_is_tls (server) ? "wss" : "ws", host_text,
      wr_server_get_port (server), stun_text);
  fflush (stdout);

  g_unix_signal_add (SIGINT, on_quit_signal, &state);
  g_unix_signal_add (SIGTERM, on_quit_signal, &state);
  g_main_loop_run (loop);
  /* a second signal may come while the server closes its connections
   * (the context runs then, the loop is gone): it is ignored */
  state.loop = NULL;
  return state.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
