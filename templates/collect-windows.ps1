<#
.SYNOPSIS
    evtdiag collector for a domain controller: the PSync events and the Windows settings
    password synchronization depends on, in one zip.

.DESCRIPTION
    Run it on each domain controller, in an elevated Windows PowerShell 5.1 prompt:

        powershell -NoProfile -ExecutionPolicy Bypass -File collect-windows.ps1 -OutputDirectory C:\evidence

    It only reads the system. It exports the events of the PSync provider from the
    Application and System logs (the channel PSync writes to is not documented) with
    "wevtutil epl" and an XPath query, lists the members of PasswordPropAllow,
    PasswordPropDeny, Administrators and Domain Admins, and saves the password policy.
    Everything goes into one new folder, named after this computer and the time (UTC),
    which is then zipped next to it; nothing else on the machine is changed:

        evtdiag-windows-DC01-20260901T080000Z\
          DC01-Application-PSync.evtx   wevtutil epl Application ... /q:<XPath>
          DC01-System-PSync.evtx        wevtutil epl System ... /q:<XPath>
          PasswordPropAllow.csv         Get-ADGroupMember -Recursive | Export-Csv
            or PasswordPropAllow.txt    net group PasswordPropAllow /domain (no AD module)
          PasswordPropDeny.csv / .txt   likewise
          Administrators.csv / .txt     likewise (net localgroup Administrators)
          Domain Admins.csv / .txt      likewise
          net-accounts.txt              net accounts (on a DC: the domain's policy)
          domain-password-policy.txt    Get-ADDefaultDomainPasswordPolicy (AD module only)
          collect-windows.log           what ran and what failed
        evtdiag-windows-DC01-20260901T080000Z.zip

    The folder is flat on purpose: Compress-Archive of Windows PowerShell 5.1 writes "\"
    between folder names inside a zip, which other systems read as part of a file name.

    With the ActiveDirectory module (RSAT, present on a DC), group members are listed
    with Get-ADGroupMember -Recursive: members of nested groups are included. Without it,
    or when it fails, "net group" lists the direct members only. A group that does not
    exist is saved as net's "could not be found" answer, which evtdiag reads as "the group
    is absent". evtdiag reads "net accounts" in English only.

    Then, on the machine that runs evtdiag, unzip and read the folder:

        evtdiag report DIR/*.evtx --windows DIR --hosts HOSTS-DIR

.PARAMETER OutputDirectory
    Where the folder and the zip are written (default: the current directory).

.PARAMETER Provider
    Event provider names to export (default: the IDMU provider of Windows Server 2008
    and 2008 R2); add the source name of an older Services for UNIX version here, as
    evtdiag's --provider.
#>
#Requires -Version 5.1
[CmdletBinding()]
param(
    [string]$OutputDirectory = (Get-Location).Path,
    [string[]]$Provider = @('Microsoft-Windows-IDMU-PSync')
)

# Errors are handled where they happen: a failed step is logged and the others still run.
$ErrorActionPreference = 'Continue'

$Channels = @('Application', 'System')
$Groups = @(
    @{ Name = 'PasswordPropAllow'; Net = @('group', 'PasswordPropAllow', '/domain') },
    @{ Name = 'PasswordPropDeny'; Net = @('group', 'PasswordPropDeny', '/domain') },
    @{ Name = 'Administrators'; Net = @('localgroup', 'Administrators') },
    @{ Name = 'Domain Admins'; Net = @('group', 'Domain Admins', '/domain') }
)

if (-not (Test-Path -LiteralPath $OutputDirectory -PathType Container)) {
    Write-Error "Output directory not found: $OutputDirectory"
    exit 2
}
$Computer = $env:COMPUTERNAME
$Stamp = (Get-Date).ToUniversalTime().ToString('yyyyMMddTHHmmssZ')
$Folder = Join-Path (Resolve-Path -LiteralPath $OutputDirectory).Path "evtdiag-windows-$Computer-$Stamp"
$null = New-Item -ItemType Directory -Path $Folder
$Log = Join-Path $Folder 'collect-windows.log'
$Failures = 0

function Write-Step([string]$Text) {
    Write-Host $Text
    $Text | Out-File -LiteralPath $Log -Append -Encoding UTF8
}

function Write-Failure([string]$Text) {
    $script:Failures++
    Write-Warning $Text
    "FAILED: $Text" | Out-File -LiteralPath $Log -Append -Encoding UTF8
}

function Save-NetOutput([string[]]$Arguments, [string]$Path) {
    # net writes "could not be found" to standard error: 2>&1 keeps it in the file, and
    # "$_" turns each error record back into the line net wrote.
    & net.exe @Arguments 2>&1 | ForEach-Object { "$_" } | Out-File -LiteralPath $Path -Encoding UTF8
    Write-Step "net $($Arguments -join ' ') -> $(Split-Path -Leaf $Path) (exit $LASTEXITCODE)"
}

Write-Step "evtdiag collect-windows on $Computer at $Stamp (PowerShell $($PSVersionTable.PSVersion))"

# 1. The PSync events, one .evtx per channel, filtered by provider with an XPath query.
$Names = ($Provider | ForEach-Object { "@Name='$_'" }) -join ' or '
$Query = "*[System[Provider[$Names]]]"
foreach ($Channel in $Channels) {
    $Target = Join-Path $Folder "$Computer-$Channel-PSync.evtx"
    & wevtutil.exe epl $Channel $Target "/q:$Query"
    if ($LASTEXITCODE -eq 0) {
        Write-Step "wevtutil epl $Channel /q:$Query -> $(Split-Path -Leaf $Target)"
    } else {
        Write-Failure "wevtutil epl $Channel failed (exit $LASTEXITCODE)"
    }
}

# 2. The group members: Get-ADGroupMember -Recursive when the AD module is there, else net.
$HasAdModule = [bool](Get-Module -ListAvailable -Name ActiveDirectory)
if ($HasAdModule) {
    Import-Module ActiveDirectory -ErrorAction SilentlyContinue
    $HasAdModule = [bool](Get-Module -Name ActiveDirectory)
}
if (-not $HasAdModule) {
    Write-Step 'ActiveDirectory module not available: net lists direct members only'
}
foreach ($Group in $Groups) {
    $Name = $Group.Name
    if ($HasAdModule) {
        $Csv = Join-Path $Folder "$Name.csv"
        try {
            $Members = @(Get-ADGroupMember -Identity $Name -Recursive -ErrorAction Stop)
            if ($Members.Count -gt 0) {
                $Members | Export-Csv -LiteralPath $Csv -Encoding UTF8
            } else {
                # Export-Csv writes nothing for no object; evtdiag skips '#' lines.
                "# $Name exists and has no member (Get-ADGroupMember -Recursive)" |
                    Out-File -LiteralPath $Csv -Encoding UTF8
            }
            Write-Step "Get-ADGroupMember '$Name' -Recursive: $($Members.Count) member(s) -> $Name.csv"
            continue
        } catch {
            if ($_.Exception.GetType().Name -eq 'ADIdentityNotFoundException') {
                Write-Step "Get-ADGroupMember '$Name': no such group; net says so in the file"
            } else {
                Write-Failure "Get-ADGroupMember '$Name' failed: $($_.Exception.Message); net used instead"
            }
        }
    }
    Save-NetOutput $Group.Net (Join-Path $Folder "$Name.txt")
}

# 3. The password policy: net accounts (read by evtdiag), and the AD view for the reader.
Save-NetOutput @('accounts') (Join-Path $Folder 'net-accounts.txt')
if ($HasAdModule) {
    try {
        Get-ADDefaultDomainPasswordPolicy -ErrorAction Stop | Format-List * |
            Out-File -LiteralPath (Join-Path $Folder 'domain-password-policy.txt') -Encoding UTF8 -Width 200
        Write-Step 'Get-ADDefaultDomainPasswordPolicy -> domain-password-policy.txt'
    } catch {
        Write-Failure "Get-ADDefaultDomainPasswordPolicy failed: $($_.Exception.Message)"
    }
}

# 4. One zip of the folder's files (no sub-folder: see the description).
$Zip = "$Folder.zip"
try {
    Compress-Archive -Path (Join-Path $Folder '*') -DestinationPath $Zip -ErrorAction Stop
} catch {
    Write-Failure "Compress-Archive failed: $($_.Exception.Message)"
    Write-Host "Send the folder $Folder instead."
    exit 1
}
Write-Host "Wrote $Zip ($Failures step(s) failed; see collect-windows.log inside)."
Write-Host 'Send it with the UNIX hosts'' archives (evtdiag collect-script).'
exit 0
