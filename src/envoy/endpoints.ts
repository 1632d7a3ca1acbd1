/** Endpoint addresses and health, from EDS (ClusterLoadAssignment) and from `/clusters?format=json`. */
import {get, getNumber, getObject, getString, type Json} from './fields.js'

/** Host address for the `/clusters` view: IP, `unix://path`, `envoy://listener/id`, or `unknown`. */
export function hostAddress(address: Json | undefined): {address: string; port: number} {
  const sock = getObject(address, 'socket_address')
  if (sock) return {address: getString(sock, 'address'), port: getNumber(sock, 'port_value')}
  const pipe = getObject(address, 'pipe')
  if (pipe) return {address: `unix://${getString(pipe, 'path')}`, port: 0}
  const internal = getObject(address, 'envoy_internal_address')
  if (internal) return {address: `envoy://${getString(internal, 'server_listener_name')}/${getString(internal, 'endpoint_id')}`, port: 0}
  return {address: 'unknown', port: 0}
}

/** Address for the EDS view: `ip:port` (port always printed), a pipe path as is, `envoy://...`, or `unknown`. */
export function edsAddress(address: Json | undefined): string {
  const sock = getObject(address, 'socket_address')
  if (sock) return `${getString(sock, 'address')}:${getNumber(sock, 'port_value')}`
  const pipe = getObject(address, 'pipe')
  if (pipe) return getString(pipe, 'path')
  const internal = getObject(address, 'envoy_internal_address')
  if (internal) return `envoy://${getString(internal, 'server_listener_name')}/${getString(internal, 'endpoint_id')}`
  return 'unknown'
}

/** The primary socket port of an LbEndpoint (0 for pipes and internal addresses). */
export function lbEndpointPort(lbEndpoint: Json): number {
  return getNumber(getObject(get(get(lbEndpoint, 'endpoint'), 'address'), 'socket_address'), 'port_value')
}

/** `region/zone/subzone` as istioctl prints a locality ('' without region and zone). */
export function describeLocality(locality: Json | undefined): string {
  const region = getString(locality, 'region')
  const zone = getString(locality, 'zone')
  const sub = getString(locality, 'sub_zone')
  if (region === '' && zone === '') return ''
  let out = region
  if (zone !== '') out += `/${zone}`
  if (sub !== '') out += `/${sub}`
  return out
}
