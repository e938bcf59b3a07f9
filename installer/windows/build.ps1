<#
.SYNOPSIS
  Build the SENDIASS Desktop Windows installer: PyInstaller bundle, self-test, Inno Setup.

.DESCRIPTION
  Run from anywhere on a Windows 10/11 x64 machine with Python 3.11 (python.org
  installer, with the "py" launcher) and Inno Setup 6.3 or later:

    powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1

  Steps:
    1. creates build\venv-windows in the repository (a clean environment: the app's runtime
       dependencies and PyInstaller only, so nothing from development leaks in);
    2. reads the version from sendiass_desktop.__version__ (the only place it is set);
    3. runs PyInstaller on installer\sendiass-desktop.spec -> dist\sendiass-desktop\;
    4. runs the bundle's "sendiass-desktop.exe --self-test" and "sendiass-admin.exe
       --version" and stops if either fails;
    5. optionally signs the two programs (see -CertificateThumbprint);
    6. compiles installer\windows\sendiass-desktop.iss with ISCC, passing the version
       -> dist\sendiass-desktop-VERSION-setup.exe (signed too, when signing).

  This script has not been run by the project's CI (which is Linux): the first time,
  watch each step. See installer\README.md.

.PARAMETER Python
  Path to the python.exe (3.11) to build with (default: "py -3.11", the Python launcher).

.PARAMETER Iscc
  Path to ISCC.exe (default: found in the usual Inno Setup 6 folders).

.PARAMETER CertificateThumbprint
  SHA-1 thumbprint of a code-signing certificate in the current user's certificate
  store. When given, signtool (Windows SDK) signs the .exe files and the installer,
  with an RFC 3161 timestamp from -TimestampUrl.

.PARAMETER SkipInstaller
  Build and self-test the bundle only; do not run Inno Setup.
#>
[CmdletBinding()]
param(
    [string]$Python = "",
    [string]$Iscc = "",
    [string]$CertificateThumbprint = "",
    [string]$TimestampUrl = "http://timestamp.digicert.com",
    [switch]$SkipInstaller
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

$Repo = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Repo
$Venv = Join-Path $Repo "build\venv-windows"  # under build\, which git ignores
$VenvPython = Join-Path $Venv "Scripts\python.exe"
$Dist = Join-Path $Repo "dist"
$Bundle = Join-Path $Dist "sendiass-desktop"

function Invoke-Checked {
    param([string]$What, [scriptblock]$Command)
    Write-Host "== $What"
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

# --- 1. a clean build environment ---------------------------------------------------------
if (-not (Test-Path $VenvPython)) {
    if ($Python) {
        Invoke-Checked "create the build environment with $Python" { & $Python -m venv $Venv }
    } else {
        Invoke-Checked "create the build environment with py -3.11" { & py -3.11 -m venv $Venv }
    }
}
$PyVersion = & $VenvPython -c "import sys; print('%d.%d' % sys.version_info[:2])"
if ($PyVersion -ne "3.11") { throw "Python 3.11 is needed for the build, $Venv has $PyVersion" }
Invoke-Checked "upgrade pip" { & $VenvPython -m pip install --quiet --upgrade pip }
# The [build] extra brings PyInstaller; pypdfium2 gives the document viewer its PDF preview
# (docs/decisions/0008-opening-documents.md).
Invoke-Checked "install the app and PyInstaller" {
    & $VenvPython -m pip install --quiet -e ".[build]" pypdfium2
}

# --- 2. the version -------------------------------------------------------------------------
$Version = (& $VenvPython -c "import sendiass_desktop; print(sendiass_desktop.__version__)").Trim()
if ($LASTEXITCODE -ne 0 -or -not $Version) { throw "could not read sendiass_desktop.__version__" }
# Windows file versions are four numbers: 1.2.3rc1 -> 1.2.3.0
$Numbers = @([regex]::Matches($Version, "\d+") | Select-Object -First 3 | ForEach-Object { $_.Value })
while ($Numbers.Count -lt 4) { $Numbers += "0" }
$VersionNumeric = ($Numbers -join ".")
Write-Host "== SENDIASS Desktop $Version ($VersionNumeric)"

# --- 3. PyInstaller ---------------------------------------------------------------------------
$Started = Get-Date
if (Test-Path $Bundle) { Remove-Item -Recurse -Force $Bundle }
Invoke-Checked "PyInstaller" {
    & $VenvPython -m PyInstaller --noconfirm --clean --log-level WARN `
        --workpath (Join-Path $Repo "build\pyinstaller") --distpath $Dist `
        (Join-Path $Repo "installer\sendiass-desktop.spec")
}
$Elapsed = [int]((Get-Date) - $Started).TotalSeconds
$SizeMb = [int]((Get-ChildItem -Recurse $Bundle | Measure-Object -Sum Length).Sum / 1MB)
Write-Host "== built $Bundle in $Elapsed s ($SizeMb MB)"

# --- 4. the bundle's own checks -------------------------------------------------------------
# sendiass-desktop.exe is a windowed program: Start-Process -Wait waits for it, and its
# report is captured from standard output (or, if Windows gave it none, read from
# %TEMP%\sendiass-self-test.txt, where the self-test writes it instead).
$Report = Join-Path $env:TEMP "sendiass-self-test.txt"
$OutFile = Join-Path $env:TEMP "sendiass-self-test-stdout.txt"
$ErrFile = Join-Path $env:TEMP "sendiass-self-test-stderr.txt"
foreach ($f in @($Report, $OutFile, $ErrFile)) { if (Test-Path $f) { Remove-Item -Force $f } }
$env:QT_QPA_PLATFORM = "offscreen"
Write-Host "== sendiass-desktop.exe --self-test"
$Proc = Start-Process -FilePath (Join-Path $Bundle "sendiass-desktop.exe") `
    -ArgumentList "--self-test" -Wait -PassThru -NoNewWindow `
    -RedirectStandardOutput $OutFile -RedirectStandardError $ErrFile
Remove-Item Env:\QT_QPA_PLATFORM
$Lines = ""
if ((Test-Path $OutFile) -and (Get-Item $OutFile).Length -gt 0) { $Lines = Get-Content -Raw $OutFile }
elseif (Test-Path $Report) { $Lines = Get-Content -Raw $Report }
Write-Host $Lines
if ($Proc.ExitCode -ne 0 -or $Lines -notmatch "self-test passed") {
    if (Test-Path $ErrFile) { Get-Content $ErrFile | Write-Host }
    throw "the bundle's self-test failed (exit code $($Proc.ExitCode))"
}
$AdminVersion = (& (Join-Path $Bundle "sendiass-admin.exe") --version).Trim()
if ($LASTEXITCODE -ne 0 -or $AdminVersion -ne "sendiass-admin $Version") {
    throw "sendiass-admin.exe --version said '$AdminVersion', expected $Version"
}
Write-Host "== $AdminVersion"

# --- 5. signing (optional) ------------------------------------------------------------------
$SignTool = $null
if ($CertificateThumbprint) {
    $SignTool = (Get-Command signtool.exe -ErrorAction SilentlyContinue).Source
    if (-not $SignTool) {
        $SignTool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" `
            -ErrorAction SilentlyContinue | Sort-Object FullName | Select-Object -Last 1 -ExpandProperty FullName
    }
    if (-not $SignTool) { throw "signtool.exe not found: install the Windows SDK signing tools" }
    foreach ($exe in @("sendiass-desktop.exe", "sendiass-admin.exe")) {
        Invoke-Checked "sign $exe" {
            & $SignTool sign /sha1 $CertificateThumbprint /fd SHA256 /tr $TimestampUrl /td SHA256 `
                (Join-Path $Bundle $exe)
        }
    }
}

if ($SkipInstaller) { Write-Host "== bundle ready: $Bundle (installer skipped)"; exit 0 }

# --- 6. Inno Setup --------------------------------------------------------------------------
if (-not $Iscc) {
    $Candidates = @(
        "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
        "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
        "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
    )
    $Iscc = $Candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $Iscc -or -not (Test-Path $Iscc)) {
    throw "ISCC.exe (Inno Setup 6.3 or later) not found: install it or pass -Iscc PATH"
}
$IssArgs = @(
    "/Qp",
    "/DAppVersion=$Version",
    "/DAppVersionNumeric=$VersionNumeric",
    "/DSourceDir=$Bundle",
    "/DOutputDir=$Dist"
)
if ($SignTool) {
    # ISCC substitutes $f with the file to sign (installer and uninstaller) and $q with a
    # quote: PowerShell does not pass a quote inside an argument on to ISCC intact.
    $IssArgs += "/Ssendiass=`$q$SignTool`$q sign /sha1 $CertificateThumbprint /fd SHA256 /tr $TimestampUrl /td SHA256 `$f"
    $IssArgs += "/DSignTool=sendiass"
}
$IssArgs += (Join-Path $Repo "installer\windows\sendiass-desktop.iss")
Invoke-Checked "Inno Setup" { & $Iscc @IssArgs }
$Setup = Join-Path $Dist "sendiass-desktop-$Version-setup.exe"
if (-not (Test-Path $Setup)) { throw "the installer was not written: $Setup" }
Write-Host "== $Setup ($([int]((Get-Item $Setup).Length / 1MB)) MB)"
