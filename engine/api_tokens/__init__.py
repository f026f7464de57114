"""Callers of the REST API: personal access tokens, client credentials for systems, and their scopes."""
from engine.api_tokens.service import SCOPES, ApiCaller, ApiClientInfo, ApiTokens, IssuedToken, TokenInfo

__all__ = ["SCOPES", "ApiCaller", "ApiClientInfo", "ApiTokens", "IssuedToken", "TokenInfo"]
