/* gst-webrtc-rooms
 * Copyright (C) 2026 gst-webrtc-rooms authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* The server's STUN responder, queried with libnice's STUN usage API.
 * The test picks a free UDP port and passes it as --stun-port. */

#include "testserver.h"

#include <stun/stunagent.h>
#include <stun/usages/bind.h>
#include <string.h>

#define WAIT_US (5 * G_USEC_PER_SEC)
#define QUIET_US (300 * 1000)

typedef struct
{
  WrTestServer *server;
  GSocket *socket;
  GSocketAddress *server_addr;
  guint local_port;
  StunAgent agent;
} Fixture;

static const uint16_t known_attributes[] = {
  STUN_ATTRIBUTE_SOFTWARE, STUN_ATTRIBUTE_FINGERPRINT,
  STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, STUN_ATTRIBUTE_MAPPED_ADDRESS, 0
};

static void
fixture_setup (Fixture * f, gconstpointer data)
{
  guint port = wr_test_pick_udp_port ();
  g_autofree gchar *arg = g_strdup_printf ("--stun-port=%u", port);
  const gchar *args[] = { arg, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback
      (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) local = NULL;

  g_assert_cmpuint (port, >, 0);
  f->server = wr_test_server_start (args, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wr_test_server_get_stun_port (f->server), ==, port);

  f->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (f->socket, any, FALSE, &error));
  local = g_socket_get_local_address (f->socket, &error);
  g_assert_no_error (error);
  f->local_port =
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  f->server_addr = g_inet_socket_address_new (lo, port);
  stun_agent_init (&f->agent, known_attributes, STUN_COMPATIBILITY_RFC5389,
      STUN_AGENT_USAGE_USE_FINGERPRINT);
}

static void
fixture_teardown (Fixture * f, gconstpointer data)
{
  wr_test_server_stop (f->server);
  g_object_unref (f->server_addr);
  g_object_unref (f->socket);
}

static void
send_datagram (Fixture * f, const guint8 * data, gsize len)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_socket_send_to (f->socket, f->server_addr,
          (const gchar *) data, len, NULL, &error), ==, len);
  g_assert_no_error (error);
}

/* Receives one datagram within @timeout_us; returns its length or -1 */
static gssize
receive_datagram (Fixture * f, guint8 * buf, gsize len, gint64 timeout_us)
{
  g_autoptr (GError) error = NULL;

  if (!g_socket_condition_timed_wait (f->socket, G_IO_IN, timeout_us, NULL,
          &error))
    return -1;
  return g_socket_receive (f->socket, (gchar *) buf, len, NULL, NULL);
}

/* A Binding request made by @agent, its answer checked: the mapped address
 * is our own 127.0.0.1:port. RFC 5389 answers carry it XOR-ed; RFC 3489
 * ones as MAPPED-ADDRESS, which stun_usage_bind_process reads as well. */
static void
check_binding_with (Fixture * f, StunAgent * agent)
{
  guint8 request[STUN_MAX_MESSAGE_SIZE_IPV4];
  guint8 answer[1500];
  StunMessage req, resp;
  struct sockaddr_storage mapped, alternate;
  socklen_t mapped_len = sizeof (mapped), alternate_len = sizeof (alternate);
  struct sockaddr_in *in;
  gsize req_len;
  gssize len;

  req_len = stun_usage_bind_create (agent, &req, request, sizeof (request));
  g_assert_cmpuint (req_len, >, 0);
  send_datagram (f, request, req_len);

  len = receive_datagram (f, answer, sizeof (answer), WAIT_US);
  g_assert_cmpint (len, >, 0);
  g_assert_cmpint (stun_agent_validate (agent, &resp, answer, len, NULL,
          NULL), ==, STUN_VALIDATION_SUCCESS);
  g_assert_cmpint (stun_message_get_class (&resp), ==, STUN_RESPONSE);
  g_assert_cmpint (stun_message_get_method (&resp), ==, STUN_BINDING);
  g_assert_cmpint (stun_message_find_xor_addr (&resp,
          STUN_ATTRIBUTE_XOR_MAPPED_ADDRESS, &mapped, &mapped_len) ==
      STUN_MESSAGE_RETURN_SUCCESS, ==, agent == &f->agent);
  mapped_len = sizeof (mapped);
  g_assert_cmpint (stun_usage_bind_process (&resp, (struct sockaddr *)
          &mapped, &mapped_len, (struct sockaddr *) &alternate,
          &alternate_len), ==, STUN_USAGE_BIND_RETURN_SUCCESS);
  g_assert_cmpint (mapped.ss_family, ==, AF_INET);
  in = (struct sockaddr_in *) &mapped;
  g_assert_cmpuint (ntohs (in->sin_port), ==, f->local_port);
  g_assert_cmpuint (ntohl (in->sin_addr.s_addr), ==, INADDR_LOOPBACK);
}

static void
check_binding (Fixture * f)
{
  check_binding_with (f, &f->agent);
}

static void
test_binding (Fixture * f, gconstpointer data)
{
  check_binding (f);
  check_binding (f);
}

/* libnice asks for its server-reflexive candidates with RFC 3489 Binding
 * requests (no magic cookie): they get a MAPPED-ADDRESS, read the way
 * libnice's discovery reads it. */
static void
test_binding_rfc3489 (Fixture * f, gconstpointer data)
{
  StunAgent classic;
  guint8 probe[STUN_MAX_MESSAGE_SIZE_IPV4];
  StunMessage msg;

  stun_agent_init (&classic, known_attributes, STUN_COMPATIBILITY_RFC3489, 0);
  /* such a request has no magic cookie */
  g_assert_cmpuint (stun_usage_bind_create (&classic, &msg, probe,
          sizeof (probe)), ==, 20);
  g_assert_false (probe[4] == 0x21 && probe[5] == 0x12);
  check_binding_with (f, &classic);
}

static void
test_garbage_ignored (Fixture * f, gconstpointer data)
{
  guint8 buf[1500];
  guint8 request[STUN_MAX_MESSAGE_SIZE_IPV4];
  guint8 indication[STUN_MAX_MESSAGE_SIZE_IPV4];
  StunMessage msg;
  gsize len;
  guint i;

  /* random bytes, a lone byte, a STUN header claiming a longer body */
  for (i = 0; i < sizeof (buf); i++)
    buf[i] = g_random_int_range (0, 256);
  send_datagram (f, buf, sizeof (buf));
  send_datagram (f, (const guint8 *) "x", 1);
  len = stun_usage_bind_create (&f->agent, &msg, request, sizeof (request));
  send_datagram (f, request, 20);
  g_assert_cmpint (receive_datagram (f, buf, sizeof (buf), QUIET_US), ==, -1);
  /* a Binding request with a corrupted FINGERPRINT */
  request[len - 1] ^= 0xff;
  send_datagram (f, request, len);
  g_assert_cmpint (receive_datagram (f, buf, sizeof (buf), QUIET_US), ==, -1);
  /* an indication is not answered */
  g_assert_true (stun_agent_init_indication (&f->agent, &msg, indication,
          sizeof (indication), STUN_BINDING));
  len = stun_agent_finish_message (&f->agent, &msg, NULL, 0);
  send_datagram (f, indication, len);
  /* an empty datagram */
  send_datagram (f, buf, 0);

  g_assert_cmpint (receive_datagram (f, buf, sizeof (buf), QUIET_US), ==, -1);
  /* and the responder still answers */
  check_binding (f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/stun/binding-rfc3489", Fixture, NULL, fixture_setup,
      test_binding_rfc3489, fixture_teardown);
  g_test_add ("/stun/binding", Fixture, NULL, fixture_setup, test_binding,
      fixture_teardown);
  g_test_add ("/stun/garbage-ignored", Fixture, NULL, fixture_setup,
      test_garbage_ignored, fixture_teardown);
  return g_test_run ();
}
